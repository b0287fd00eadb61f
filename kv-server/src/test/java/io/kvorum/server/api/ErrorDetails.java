package io.kvorum.server.api;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;

/** Reads the google.rpc.ErrorInfo a Kvorum error carries. */
final class ErrorDetails {
    private ErrorDetails() {
    }

    static ErrorInfo info(StatusRuntimeException e) {
        com.google.rpc.Status st = StatusProto.fromThrowable(e);
        if (st == null) {
            throw new AssertionError("no status details in " + e);
        }
        for (Any any : st.getDetailsList()) {
            if (any.is(ErrorInfo.class)) {
                try {
                    return any.unpack(ErrorInfo.class);
                } catch (InvalidProtocolBufferException ex) {
                    throw new AssertionError(ex);
                }
            }
        }
        throw new AssertionError("no ErrorInfo in " + e);
    }

    static String reason(StatusRuntimeException e) {
        return info(e).getReason();
    }
}
