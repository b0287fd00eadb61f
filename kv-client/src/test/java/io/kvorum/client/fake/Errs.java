package io.kvorum.client.fake;

import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.kvorum.proto.v1.ErrorReason;

/** Errors shaped like a Kvorum node's: a status with an ErrorInfo detail (reason + metadata). */
public final class Errs {
    private Errs() {
    }

    public static StatusRuntimeException of(Status.Code code, ErrorReason reason, String message, String... meta) {
        ErrorInfo.Builder info = ErrorInfo.newBuilder().setReason(reason.name()).setDomain("kvorum.io");
        for (int i = 0; i + 1 < meta.length; i += 2) {
            if (meta[i + 1] != null) {
                info.putMetadata(meta[i], meta[i + 1]);
            }
        }
        return StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder().setCode(code.value())
                .setMessage(message).addDetails(Any.pack(info.build())).build());
    }

    public static StatusRuntimeException noNode(String path) {
        return of(Status.Code.NOT_FOUND, ErrorReason.NO_NODE, "node " + path + " does not exist", "path", path);
    }

    public static StatusRuntimeException exists(String path) {
        return of(Status.Code.ALREADY_EXISTS, ErrorReason.NODE_EXISTS, "node " + path + " exists", "path", path);
    }

    public static StatusRuntimeException badVersion(String path) {
        return of(Status.Code.FAILED_PRECONDITION, ErrorReason.BAD_VERSION, "bad version for " + path, "path", path);
    }

    public static StatusRuntimeException notEmpty(String path) {
        return of(Status.Code.FAILED_PRECONDITION, ErrorReason.NOT_EMPTY, path + " has children", "path", path);
    }

    public static StatusRuntimeException sessionExpired(String message) {
        return of(Status.Code.FAILED_PRECONDITION, ErrorReason.SESSION_EXPIRED, message);
    }

    public static StatusRuntimeException invalidPath(String path) {
        return of(Status.Code.INVALID_ARGUMENT, ErrorReason.INVALID_PATH, "bad path " + path, "path", path);
    }

    public static StatusRuntimeException noLeader(String leaderAddress) {
        return of(Status.Code.UNAVAILABLE, ErrorReason.NO_LEADER, "not the leader", "leader_address", leaderAddress);
    }
}
