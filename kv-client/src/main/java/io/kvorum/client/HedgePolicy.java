package io.kvorum.client;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * When a read is hedged: after the 95th percentile of this client's recent read latencies (so
 * about one read in twenty that is merely slow gets a second copy, and every read stuck on a
 * hung or paused node does), and only while the hedge budget lasts: hedges are at most a tenth
 * of reads (plus a burst of ten), so a cluster that is slow everywhere is not sent twice the
 * load.
 *
 * <p>Thread-safe: {@link #delayNanos()} and {@link #tryHedge()} take no lock; recording a
 * latency takes this object's lock briefly.
 */
final class HedgePolicy {
    /** Latencies kept for the percentile. */
    static final int WINDOW = 256;
    /** The percentile is recomputed every this many latencies; until then the delay is the initial one. */
    static final int RECOMPUTE_EVERY = 32;
    static final long INITIAL_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** Never hedge sooner: below it a second copy is mostly waste on any network. */
    static final long MIN_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    /** Budget in tenths of a hedge: a read earns one, a hedge costs ten, at most a burst of ten hedges. */
    private static final int TENTHS_PER_HEDGE = 10;
    private static final int MAX_TENTHS = 10 * TENTHS_PER_HEDGE;

    private final long maxDelayNanos;
    private final long[] window = new long[WINDOW];
    // Guarded by this.
    private int count;
    private int next;
    private int sinceRecompute;
    private volatile long delayNanos;
    private final AtomicInteger budgetTenths = new AtomicInteger(MAX_TENTHS);

    /** @param maxDelayNanos the delay never exceeds this (e.g. half the attempt timeout) */
    HedgePolicy(long maxDelayNanos) {
        this.maxDelayNanos = Math.max(MIN_DELAY_NANOS, maxDelayNanos);
        this.delayNanos = Math.min(INITIAL_DELAY_NANOS, this.maxDelayNanos);
    }

    /** How long a read waits for its first endpoint before a copy goes to a second one. */
    long delayNanos() {
        return delayNanos;
    }

    /** A read starts: it earns a tenth of a hedge. */
    void reading() {
        budgetTenths.getAndUpdate(b -> Math.min(MAX_TENTHS, b + 1));
    }

    /** Takes a hedge from the budget; false when it is spent. */
    boolean tryHedge() {
        while (true) {
            int b = budgetTenths.get();
            if (b < TENTHS_PER_HEDGE) {
                return false;
            }
            if (budgetTenths.compareAndSet(b, b - TENTHS_PER_HEDGE)) {
                return true;
            }
        }
    }

    /** A read answered after {@code nanos}. */
    synchronized void answered(long nanos) {
        window[next] = nanos;
        next = (next + 1) % WINDOW;
        if (count < WINDOW) {
            count++;
        }
        if (++sinceRecompute >= RECOMPUTE_EVERY) {
            sinceRecompute = 0;
            long[] sorted = Arrays.copyOf(window, count);
            Arrays.sort(sorted);
            long p95 = sorted[Math.min(count - 1, (int) Math.ceil(0.95 * count) - 1)];
            delayNanos = Math.max(MIN_DELAY_NANOS, Math.min(maxDelayNanos, p95));
        }
    }
}
