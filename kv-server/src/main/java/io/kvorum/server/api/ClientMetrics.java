package io.kvorum.server.api;

import io.grpc.ServerStreamTracer;

/**
 * Where the client port reports what only it sees. Per-call figures (method, status, latency,
 * bytes, calls in flight) come from one gRPC {@link ServerStreamTracer} installed on the
 * server, so no service code changes for them; the rest are counted where they happen.
 * Implementations must only record numbers: they run on gRPC and API threads.
 */
public interface ClientMetrics {
    /** Reports nothing. */
    ClientMetrics NONE = new ClientMetrics() {
    };

    /** Installed on the client port's gRPC server; null for none. */
    default ServerStreamTracer.Factory streamTracer() {
        return null;
    }

    /** A watch response carrying {@code events} events went to a client. */
    default void watchEventsSent(int events) {
    }

    /** A watch was cancelled because its client read too slowly (WATCHER_TOO_SLOW). */
    default void watchCancelledSlow() {
    }

    /** The leader decided to expire {@code count} sessions that sent no keep-alive within their TTL. */
    default void sessionsExpired(int count) {
    }

    /**
     * A read or write that {@link Admission} let in (a unary call or a Batch item) was answered
     * {@code nanos} after it passed the door: the latency of admitted work, which must stay
     * bounded however much is refused.
     */
    default void admittedAnswered(boolean read, long nanos) {
    }
}
