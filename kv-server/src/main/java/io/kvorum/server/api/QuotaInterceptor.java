package io.kvorum.server.api;

import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.kvorum.proto.v1.ErrorReason;
import io.kvorum.proto.v1.MultiRequest;
import io.kvorum.proto.v1.Op;

/**
 * Refuses, while the node is over its {@link SpaceQuota}, the calls that add data: create, set,
 * a multi with a create or set, and opening a session. They get RESOURCE_EXHAUSTED with reason
 * QUOTA_EXCEEDED and a message naming the quota; deletes, reads, watches and everything else
 * pass, so the way back under the quota stays open.
 */
final class QuotaInterceptor implements ServerInterceptor {
    private final SpaceQuota quota;

    QuotaInterceptor(SpaceQuota quota) {
        this.quota = quota;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        ServerCall.Listener<Q> delegate = next.startCall(call, headers);
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
            private boolean refused;

            @Override
            public void onMessage(Q message) {
                if (quota.exceeded() && addsData(message)) {
                    refused = true;
                    io.grpc.StatusRuntimeException e = refusal(quota);
                    Metadata trailers = e.getTrailers() != null ? e.getTrailers() : new Metadata();
                    call.close(Status.fromThrowable(e), trailers);
                    return;
                }
                super.onMessage(message);
            }

            @Override
            public void onHalfClose() {
                if (!refused) {
                    super.onHalfClose();
                }
            }
        };
    }

    /** The error a write that adds data gets while {@code quota} is exceeded. */
    static io.grpc.StatusRuntimeException refusal(SpaceQuota quota) {
        return Errors.of(ErrorReason.QUOTA_EXCEEDED, "write refused: " + quota.describe());
    }

    static boolean addsData(Object request) {
        if (request instanceof io.kvorum.proto.v1.CreateRequest || request instanceof io.kvorum.proto.v1.SetRequest
                || request instanceof io.kvorum.proto.v1.OpenSessionRequest) {
            return true;
        }
        if (request instanceof MultiRequest m) {
            for (Op op : m.getOpsList()) {
                if (op.hasCreate() || op.hasSet()) {
                    return true;
                }
            }
        }
        return false;
    }
}
