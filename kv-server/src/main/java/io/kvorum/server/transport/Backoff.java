package io.kvorum.server.transport;

import java.time.Duration;

/**
 * Exponential reconnect delay: min, 2·min, 4·min ... capped at max, back to min after a
 * success. Not thread-safe: each user owns one.
 */
final class Backoff {
    private final long minNanos;
    private final long maxNanos;
    private long lastNanos;

    Backoff(Duration min, Duration max) {
        this.minNanos = min.toNanos();
        this.maxNanos = max.toNanos();
    }

    /** The delay before the next attempt, after a failed one. */
    long nextDelayNanos() {
        lastNanos = lastNanos == 0 ? minNanos : Math.min(maxNanos, lastNanos * 2);
        return lastNanos;
    }

    /** The last attempt succeeded: the next failure waits only the minimum again. */
    void reset() {
        lastNanos = 0;
    }
}
