package io.kvorum.server.http;

import io.kvorum.proto.v1.ErrorReason;
import io.kvorum.server.api.ApiError;
import java.util.Map;

/**
 * A request the HTTP layer refuses before (or instead of) calling the API: a malformed path,
 * query parameter or body, an unknown route, a body over the limit. Carries the HTTP status and
 * the same kind of error the API reports, so clients parse one error shape.
 */
final class HttpProblem extends RuntimeException {
    final int status;
    final ApiError error;

    HttpProblem(int status, String code, ErrorReason reason, String message, Map<String, String> metadata) {
        super(message);
        this.status = status;
        this.error = new ApiError(code, reason, message, metadata);
    }

    /** The API's own error, with the HTTP status that fits it. */
    HttpProblem(ApiError error) {
        super(error.message());
        this.status = HttpStatuses.of(error);
        this.error = error;
    }

    /** 400 INVALID_ARGUMENT with {@code reason}. */
    static HttpProblem badRequest(ErrorReason reason, String message) {
        return new HttpProblem(400, "INVALID_ARGUMENT", reason, message, Map.of());
    }

    /** 400 INVALID_DATA: a query parameter, header or body field that is not what it must be. */
    static HttpProblem invalid(String message) {
        return badRequest(ErrorReason.INVALID_DATA, message);
    }

    static HttpProblem tooLarge(String message) {
        return new HttpProblem(413, "INVALID_ARGUMENT", ErrorReason.TOO_LARGE, message, Map.of());
    }
}
