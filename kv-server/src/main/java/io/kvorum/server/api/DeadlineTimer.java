package io.kvorum.server.api;

import io.grpc.Status.Code;
import io.kvorum.proto.v1.ErrorReason;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Fails a request's future with {@link TimeoutException} at its deadline, as
 * {@link CompletableFuture#orTimeout} does, but on the API's own timer.
 *
 * <p>Why not {@code orTimeout}: it puts each deadline on the JDK's one shared scheduler, whose
 * queue is empty between requests whenever a client has one request in flight, so each new
 * deadline becomes the head of that queue and wakes the scheduler's thread: one wake-up per
 * write, linearizable read and session keep-alive, for a timer that almost never fires. The API timer always
 * holds its periodic duties, the next of them due within {@link #PERIODIC_BOUND_MILLIS}, so a
 * deadline further away than that joins its queue without waking it. A deadline is cancelled,
 * and removed from the queue, as soon as its future completes, so an answered request leaves
 * nothing queued behind it.
 */
final class DeadlineTimer {
    /** The API timer runs a periodic duty at least this often (the revision waiter's backstop). */
    static final long PERIODIC_BOUND_MILLIS = 50;

    private final ScheduledThreadPoolExecutor timer;

    /** {@code timer} must remove cancelled tasks from its queue at once. */
    DeadlineTimer(ScheduledThreadPoolExecutor timer) {
        if (!timer.getRemoveOnCancelPolicy()) {
            throw new IllegalArgumentException("the deadline timer's executor must remove cancelled tasks");
        }
        this.timer = timer;
    }

    /** {@code f}, which now fails with {@link TimeoutException} unless done within {@code timeoutMillis}. */
    <T> CompletableFuture<T> orTimeout(CompletableFuture<T> f, long timeoutMillis) {
        if (f.isDone()) {
            return f;
        }
        ScheduledFuture<?> deadline;
        try {
            deadline = timer.schedule(() -> f.completeExceptionally(new TimeoutException()), timeoutMillis,
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopped) {
            // The server is stopping: the call ends now, like the others, not at a deadline.
            f.completeExceptionally(Errors.status(Code.UNAVAILABLE, ErrorReason.ERROR_REASON_UNSPECIFIED,
                    "this node is stopping; a write may still be applied: retry it with the same client id and "
                            + "sequence to apply it at most once"));
            return f;
        }
        f.whenComplete((v, e) -> deadline.cancel(false));
        return f;
    }
}
