package io.kvorum.server.api;

import io.kvorum.proto.v1.Consistency;
import io.kvorum.server.node.NotLeaderException;
import io.kvorum.server.node.RaftNode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Decides when a read may look at this node's state. LINEARIZABLE: after a ReadIndex barrier
 * (on a follower the leader confirms the index, then this node serves from its own copy once
 * it applied that far). SERIALIZABLE: at once, or once this node reached {@code min_revision}.
 * A page of children is read on the API executor; a point read where the gate opens.
 */
final class ReadGate {
    /** A barrier lost to a leader change is retried this long at most (reads are idempotent). */
    private static final long MAX_RETRY_MILLIS = 2_000;
    private static final long RETRY_PAUSE_MILLIS = 50;

    private final RaftNode node;
    private final RevisionWaiter waiter;
    private final Executor executor;
    private final DeadlineTimer deadlines;

    ReadGate(RaftNode node, RevisionWaiter waiter, Executor executor, DeadlineTimer deadlines) {
        this.node = node;
        this.waiter = waiter;
        this.executor = executor;
        this.deadlines = deadlines;
    }

    /** A read that may be large (a page of children): it runs on the API executor. */
    <T> CompletableFuture<T> read(Consistency consistency, long minRevision, long timeoutMillis, Supplier<T> read) {
        return read(consistency, minRevision, timeoutMillis, read, executor);
    }

    /**
     * A point read (one key): it runs on whichever thread opens the gate, the caller's or the
     * one that applies; one lookup costs less than a hand-off to the API executor.
     */
    <T> CompletableFuture<T> readPoint(Consistency consistency, long minRevision, long timeoutMillis, Supplier<T> read) {
        return read(consistency, minRevision, timeoutMillis, read, Runnable::run);
    }

    private <T> CompletableFuture<T> read(Consistency consistency, long minRevision, long timeoutMillis,
                                          Supplier<T> read, Executor where) {
        CompletableFuture<?> ready = consistency == Consistency.SERIALIZABLE
                ? waiter.await(minRevision, timeoutMillis)
                : barrier(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis),
                System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.min(timeoutMillis, MAX_RETRY_MILLIS)));
        if (ready.isDone() && !ready.isCompletedExceptionally()) {
            try {
                return CompletableFuture.completedFuture(read.get());
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        return ready.thenApplyAsync(x -> read.get(), where);
    }

    /** A ReadIndex barrier, retried while no leader is known or leadership moved under it. */
    private CompletableFuture<Long> barrier(long deadlineNanos, long retryUntilNanos) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
        return deadlines.orTimeout(node.readBarrier(), Math.max(1, left))
                .handle((index, failure) -> {
                    if (failure == null) {
                        return CompletableFuture.completedFuture(index);
                    }
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure;
                    if (cause instanceof NotLeaderException
                            && System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RETRY_PAUSE_MILLIS) < retryUntilNanos) {
                        Executor later = CompletableFuture.delayedExecutor(RETRY_PAUSE_MILLIS, TimeUnit.MILLISECONDS);
                        return CompletableFuture.supplyAsync(() -> null, later)
                                .thenCompose(x -> barrier(deadlineNanos, retryUntilNanos));
                    }
                    return CompletableFuture.<Long>failedFuture(cause);
                })
                .thenCompose(f -> f);
    }
}
