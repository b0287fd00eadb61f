package io.kvorum.client;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A read that goes to a second endpoint when the first has not answered within the
 * {@linkplain HedgePolicy hedge delay}: the first answer wins and the other copy is cancelled.
 * Each copy is a whole {@link RetryingCall} with the read's deadline, the hedge starting on an
 * endpoint other than the one the first copy is waiting on.
 *
 * <p>Why this is sound for linearizable reads too: each copy is a complete read that some node
 * serves after a ReadIndex round, so each is linearizable on its own, at a point between its
 * sending and its answer; both lie inside the caller's call, so whichever answers first is a
 * correct answer to it. A read changes nothing, so the copy that loses costs only its work.
 * Serializable reads carry the same minimum revision in both copies.
 *
 * <p>An answer is a result or an error the cluster gave (NoNode, ...). A copy that ran out of
 * endpoints or time ({@link ClusterUnavailableException}, {@link DeadlineExceededException})
 * is not one: the read waits for the other copy, and fails with the last copy's error only when
 * both have. When the hedge answers first, the endpoint the first copy was stuck on
 * {@linkplain EndpointState#lostHedge() lost a hedge}; an endpoint that loses two in a row is
 * left out until a probe succeeds, like one whose attempt timed out.
 */
final class HedgedRead<Resp> {
    private final Retrier retrier;
    private final HedgePolicy policy;
    private final String what;
    private final long deadlineNanos;
    private final Duration deadline;
    private final Retrier.Attempt<Resp> attempt;
    /** Whether the first copy goes to the leader when it is known (a linearizable read); a hedge avoids that node. */
    private final boolean leaderFirst;
    private final long startNanos = System.nanoTime();
    private final CompletableFuture<Resp> result = new CompletableFuture<>();

    // Guarded by this.
    private RetryingCall<Resp> first;
    private RetryingCall<Resp> hedge;
    private int failedCopies;
    private ScheduledFuture<?> timer;

    HedgedRead(Retrier retrier, HedgePolicy policy, String what, long deadlineNanos, Duration deadline,
               boolean leaderFirst, Retrier.Attempt<Resp> attempt) {
        this.retrier = retrier;
        this.leaderFirst = leaderFirst;
        this.policy = policy;
        this.what = what;
        this.deadlineNanos = deadlineNanos;
        this.deadline = deadline;
        this.attempt = attempt;
        result.whenComplete((r, e) -> stopAll());
    }

    CompletableFuture<Resp> start() {
        policy.reading();
        RetryingCall<Resp> c = copy(null);
        synchronized (this) {
            first = c;
        }
        c.start();
        if (!result.isDone()) {
            try {
                ScheduledFuture<?> t = retrier.scheduler().schedule(this::hedge, policy.delayNanos(),
                        TimeUnit.NANOSECONDS);
                synchronized (this) {
                    timer = t;
                }
                if (result.isDone()) {
                    t.cancel(false);
                }
            } catch (RejectedExecutionException closing) {
                // the client is closing: the first copy fails on its own
            }
        }
        return result;
    }

    private RetryingCall<Resp> copy(EndpointState avoid) {
        RetryingCall<Resp> c = new RetryingCall<>(retrier, what, Retrier.Safety.IDEMPOTENT, false, leaderFirst,
                deadlineNanos, deadline, null, avoid, attempt);
        c.result().whenComplete((r, e) -> finished(c, r, e));
        return c;
    }

    private void hedge() {
        RetryingCall<Resp> h;
        synchronized (this) {
            if (result.isDone() || hedge != null || deadlineNanos - System.nanoTime() <= 0 || !policy.tryHedge()) {
                return;
            }
            h = copy(first.target());
            hedge = h;
        }
        h.start();
    }

    private void finished(RetryingCall<Resp> copy, Resp r, Throwable error) {
        if (result.isDone()) {
            return;
        }
        Throwable e = Futures.unwrap(error);
        if (e == null) {
            EndpointState stuck = null;
            synchronized (this) {
                if (copy != first && !first.result().isDone()) {
                    stuck = first.target(); // read before completing: completing cancels the first copy
                }
            }
            if (stuck != null && !result.isDone()) {
                // Before completing: the caller's next call may be routed the moment it is
                // answered, and must already see the node's second lost hedge leave it out.
                stuck.lostHedge();
            }
            if (result.complete(r)) {
                policy.answered(System.nanoTime() - startNanos);
            }
            return;
        }
        boolean noAnswer = e instanceof ClusterUnavailableException || e instanceof DeadlineExceededException;
        synchronized (this) {
            failedCopies++;
            boolean otherRunning = (copy == first ? hedge : first) != null && failedCopies < 2;
            if (noAnswer && otherRunning) {
                return; // the other copy may still get an answer
            }
        }
        result.completeExceptionally(e);
    }

    /** The read is over (answered, failed or cancelled by the caller): the copies still running are cancelled. */
    private void stopAll() {
        RetryingCall<Resp> a;
        RetryingCall<Resp> b;
        ScheduledFuture<?> t;
        synchronized (this) {
            a = first;
            b = hedge;
            t = timer;
        }
        if (t != null) {
            t.cancel(false);
        }
        if (a != null) {
            a.result().cancel(true);
        }
        if (b != null) {
            b.result().cancel(true);
        }
    }
}
