package io.kvorum.cli.bench;

import io.kvorum.client.KvorumClient;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One benchmark client: a closed loop on the async API, one operation in flight, the next
 * started when the last completes. With a rate limit ({@code intervalNanos > 0}) operations
 * are also held to a schedule, and latency is measured from when an operation was due, not
 * when it could start, so a stall shows in the percentiles (no coordinated omission).
 */
final class Worker {
    private final KvorumClient client;
    private final Workload workload;
    private final Workload.Setup setup;
    private final Stats stats;
    private final ScheduledExecutorService scheduler;
    private final Executor trampoline;
    private final long intervalNanos;
    private final CompletableFuture<Void> finished = new CompletableFuture<>();
    private volatile long stopAtNanos = Long.MAX_VALUE;
    private long dueNanos;
    /** How deep in one thread's stack completions have chained into new operations. */
    private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);
    private static final int MAX_DEPTH = 16;

    Worker(KvorumClient client, Workload workload, Workload.Setup setup, Stats stats,
           ScheduledExecutorService scheduler, Executor trampoline, long intervalNanos, long firstDueNanos) {
        this.client = client;
        this.workload = workload;
        this.setup = setup;
        this.stats = stats;
        this.scheduler = scheduler;
        this.trampoline = trampoline;
        this.intervalNanos = intervalNanos;
        this.dueNanos = firstDueNanos;
    }

    void start() {
        next();
    }

    /** Starts no operation after {@code nanoTime}; {@link #finished()} completes once the last one ends. */
    void stopAt(long nanoTime) {
        stopAtNanos = nanoTime;
    }

    CompletableFuture<Void> finished() {
        return finished;
    }

    private void next() {
        long now = System.nanoTime();
        long due = intervalNanos > 0 ? dueNanos : now;
        if (due >= stopAtNanos || now >= stopAtNanos) {
            finished.complete(null);
            return;
        }
        if (due > now) {
            scheduler.schedule(() -> issue(due), due - now, TimeUnit.NANOSECONDS);
        } else {
            issue(due);
        }
    }

    private void issue(long due) {
        dueNanos = due + intervalNanos;
        CompletableFuture<?> f;
        try {
            f = workload.start(client, setup);
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        f.whenComplete((r, e) -> {
            long end = System.nanoTime();
            if (e == null) {
                stats.ok(end - due);
            } else {
                stats.error(e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                        ? e.getCause() : e);
            }
            // An operation that fails before it is sent completes on the issuing thread: after a few
            // in a row, continue on another thread instead of ever deeper in this one's stack.
            int[] depth = DEPTH.get();
            if (depth[0] >= MAX_DEPTH) {
                trampoline.execute(this::next);
                return;
            }
            depth[0]++;
            try {
                next();
            } finally {
                depth[0]--;
            }
        });
    }
}
