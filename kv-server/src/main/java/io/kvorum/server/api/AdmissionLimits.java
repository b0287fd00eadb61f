package io.kvorum.server.api;

import java.time.Duration;

/**
 * How much one node takes on at once, whatever the offered load (see {@link Admission}).
 *
 * @param maxInFlightReads        unary reads (get, exists, children) being served at once
 * @param maxInFlightWrites       unary writes (create, set, delete, multi, session open and close)
 *                                being served at once; a request over either limit is answered
 *                                RESOURCE_EXHAUSTED (OVERLOADED) at once, having done nothing
 * @param retryAfter              the pause an overloaded answer asks the client to wait
 * @param maxStreamsPerConnection watch and keep-alive streams open at once on one connection
 * @param maxWatchesPerConnection watches created and not cancelled over one connection's streams;
 *                                a stream that goes past it is closed with TOO_MANY_STREAMS
 * @param maxApplyGap             committed entries this node may have not yet applied and still
 *                                take new reads and writes (both wait for apply); over it they
 *                                are refused OVERLOADED until apply catches up
 */
public record AdmissionLimits(int maxInFlightReads, int maxInFlightWrites, Duration retryAfter,
                              int maxStreamsPerConnection, int maxWatchesPerConnection, long maxApplyGap) {
    public AdmissionLimits {
        if (maxInFlightReads < 1 || maxInFlightWrites < 1 || maxStreamsPerConnection < 1
                || maxWatchesPerConnection < 1 || maxApplyGap < 1) {
            throw new IllegalArgumentException("admission limits must be at least 1: " + maxInFlightReads + " reads, "
                    + maxInFlightWrites + " writes, " + maxStreamsPerConnection + " streams and "
                    + maxWatchesPerConnection + " watches per connection, apply gap " + maxApplyGap);
        }
        if (retryAfter.isNegative() || retryAfter.isZero()) {
            throw new IllegalArgumentException("retryAfter must be positive, not " + retryAfter);
        }
    }

    /**
     * 384 writes and 2,000 reads in flight; 50 ms retry hint; 100 streams and 10,000 watches
     * per connection; 5,000 committed entries not yet applied.
     *
     * <p>Writes: every client sends its writes to the leader, so the leader alone holds what
     * all clients have in flight; 384 leaves room over the 256 writers of the standard
     * benchmark (none refused). Under overload every node's door is full and what followers
     * admit is forwarded to the leader, so the cluster holds three times the limit, and by
     * Little's law an admitted write waits about that over the cluster's write rate: with
     * 1,000 per node that was ~1 s at p99 on the overload run; see docs/hardening.md.
     */
    public static AdmissionLimits defaults() {
        return new AdmissionLimits(2_000, 384, Duration.ofMillis(50), 100, 10_000, 5_000);
    }
}
