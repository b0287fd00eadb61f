package io.kvorum.client;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with "equal jitter": the n-th delay is drawn uniformly from
 * [cap/2, cap] where cap = min(max, base * 2^(n-1)). The random half spreads clients that
 * failed together (so a recovering node is not hit by all of them at once); the fixed half
 * keeps a delay from collapsing to nothing.
 */
final class Backoff {
    private final long baseNanos;
    private final long maxNanos;

    Backoff(Duration base, Duration max) {
        if (base.isNegative() || base.isZero() || max.compareTo(base) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < base <= max, not " + base + " and " + max);
        }
        this.baseNanos = base.toNanos();
        this.maxNanos = max.toNanos();
    }

    /** The upper bound of the {@code attempt}-th delay (attempt >= 1). */
    long capNanos(int attempt) {
        int shift = Math.max(0, Math.min(attempt - 1, 40));
        long cap = baseNanos << shift;
        return cap <= 0 || cap > maxNanos ? maxNanos : cap;
    }

    /** A jittered delay for the {@code attempt}-th consecutive failure (attempt >= 1). */
    long delayNanos(int attempt) {
        long cap = capNanos(attempt);
        long half = cap / 2;
        return half + ThreadLocalRandom.current().nextLong(cap - half + 1);
    }
}
