package io.kvorum.server.api;

import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.function.LongSupplier;
import org.slf4j.MDC;

/**
 * Puts the client's request id (metadata {@value #HEADER}), this node's id and its term into
 * the logging MDC while a call's handlers run on a gRPC thread, so every log line written
 * there names the request it is about. Work a call hands to another thread (a proposal
 * completing on the raft loop) logs without them. A call without a request id costs one
 * header lookup and nothing else.
 */
final class RequestLogContext implements ServerInterceptor {
    static final String HEADER = "x-request-id";
    static final Metadata.Key<String> KEY = Metadata.Key.of(HEADER, Metadata.ASCII_STRING_MARSHALLER);
    /** Longer ids are cut: a log field is no place for a client's essay. */
    static final int MAX_ID_CHARS = 128;

    private final String nodeId;
    private final LongSupplier term;

    RequestLogContext(long nodeId, LongSupplier term) {
        this.nodeId = Long.toString(nodeId);
        this.term = term;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                      ServerCallHandler<Q, R> next) {
        String id = headers.get(KEY);
        if (id == null || id.isEmpty()) {
            return next.startCall(call, headers);
        }
        String requestId = id.length() > MAX_ID_CHARS ? id.substring(0, MAX_ID_CHARS) : id;
        Scope scope = new Scope(requestId);
        scope.enter();
        try {
            return new SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
                @Override
                public void onMessage(Q message) {
                    scope.enter();
                    try {
                        super.onMessage(message);
                    } finally {
                        scope.exit();
                    }
                }

                @Override
                public void onHalfClose() {
                    scope.enter();
                    try {
                        super.onHalfClose();
                    } finally {
                        scope.exit();
                    }
                }

                @Override
                public void onCancel() {
                    scope.enter();
                    try {
                        super.onCancel();
                    } finally {
                        scope.exit();
                    }
                }
            };
        } finally {
            scope.exit();
        }
    }

    /** The MDC entries of one call; set and removed around each handler invocation. */
    private final class Scope {
        private final String requestId;

        Scope(String requestId) {
            this.requestId = requestId;
        }

        void enter() {
            MDC.put("requestId", requestId);
            MDC.put("node", nodeId);
            MDC.put("term", Long.toString(term.getAsLong()));
        }

        void exit() {
            MDC.remove("requestId");
            MDC.remove("node");
            MDC.remove("term");
        }
    }
}
