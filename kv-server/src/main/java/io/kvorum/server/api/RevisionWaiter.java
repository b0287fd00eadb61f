package io.kvorum.server.api;

import io.grpc.Status.Code;
import io.kvorum.proto.v1.ErrorReason;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * Parks serializable reads that asked for a {@code min_revision} this node has not applied
 * yet, and releases them when it has (poked on every applied revision, and by a timer as a
 * backstop), or fails them with DEADLINE_EXCEEDED.
 */
final class RevisionWaiter {
    private record Waiter(long revision, CompletableFuture<Void> future) {
    }

    private final LongSupplier revision;
    private final DeadlineTimer deadlines;
    private final PriorityQueue<Waiter> waiting = new PriorityQueue<>((a, b) -> Long.compare(a.revision, b.revision));
    private volatile int size;

    RevisionWaiter(LongSupplier revision, DeadlineTimer deadlines) {
        this.revision = revision;
        this.deadlines = deadlines;
    }

    CompletableFuture<Void> await(long min, long timeoutMillis) {
        if (revision.getAsLong() >= min) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> f = new CompletableFuture<>();
        synchronized (this) {
            waiting.add(new Waiter(min, f));
            size = waiting.size();
        }
        poke(); // the revision may have moved between the check and the add
        return deadlines.orTimeout(f, timeoutMillis).exceptionallyCompose(e -> CompletableFuture.failedFuture(
                Errors.status(Code.DEADLINE_EXCEEDED, ErrorReason.ERROR_REASON_UNSPECIFIED, "this node did not reach "
                        + "min_revision " + min + " before the deadline (it is at " + revision.getAsLong()
                        + "); read from another node or use a linearizable read")));
    }

    /** Releases the waiters the current revision satisfies. Cheap when nobody waits. */
    void poke() {
        if (size == 0) {
            return;
        }
        long now = revision.getAsLong();
        synchronized (this) {
            while (!waiting.isEmpty() && (waiting.peek().revision <= now || waiting.peek().future.isDone())) {
                waiting.poll().future.complete(null);
            }
            size = waiting.size();
        }
    }
}
