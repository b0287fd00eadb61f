package io.kvorum.server.api;

import io.kvorum.proto.v1.ErrorReason;
import java.util.Map;

/**
 * A failed call as every front end reports it: the gRPC status code's name (NOT_FOUND,
 * FAILED_PRECONDITION...), the {@link ErrorReason} of its {@code google.rpc.ErrorInfo}, the
 * message naming the problem, and the ErrorInfo metadata (path, op_index, leader_id,
 * leader_address, retry_after_ms...). Built by {@link ClientCalls#describe} from the very status
 * a gRPC client would get.
 */
public record ApiError(String code, ErrorReason reason, String message, Map<String, String> metadata) {
    public ApiError {
        metadata = Map.copyOf(metadata);
    }

    /** An error with {@code reason}'s gRPC code, as the gRPC API would report it. */
    public static ApiError of(ErrorReason reason, String message, Map<String, String> metadata) {
        return new ApiError(Errors.codeOf(reason).name(), reason, message, metadata);
    }
}
