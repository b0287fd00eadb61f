package io.kvorum.server.api;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * A call that an interceptor may close while the service still works on it (a request that did
 * not parse, a denied one, a revoked watch): close and sends may come from two threads, and
 * everything after the first close is dropped.
 */
class CloseOnceCall<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
    private boolean closed;

    CloseOnceCall(ServerCall<Q, R> call) {
        super(call);
    }

    @Override
    public synchronized void sendHeaders(Metadata headers) {
        if (!closed) {
            super.sendHeaders(headers);
        }
    }

    @Override
    public synchronized void sendMessage(R message) {
        if (!closed) {
            super.sendMessage(message);
        }
    }

    @Override
    public synchronized void close(Status status, Metadata trailers) {
        if (!closed) {
            closed = true;
            super.close(status, trailers);
        }
    }

    /** Closes the call with {@code e} unless it was closed already; whether this closed it. */
    synchronized boolean closeIfOpen(StatusRuntimeException e) {
        if (closed) {
            return false;
        }
        close(e.getStatus(), e.getTrailers() != null ? e.getTrailers() : new Metadata());
        return true;
    }
}
