package io.kvorum.client;

import io.grpc.CallOptions;
import io.grpc.ConnectivityState;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One call's retry loop (see {@link Retrier}).
 *
 * <p>Which failures are retried:
 * <ul>
 *   <li>UNAVAILABLE from the transport (node down, connection reset): the endpoint is ejected
 *       from routing until a probe succeeds, and the next attempt goes elsewhere. A write
 *       without deduplication is retried only when the connection never opened.</li>
 *   <li>An attempt on a channel that has not connected within {@link #CONNECT_GRACE_NANOS}
 *       (the node's kernel accepts the connection but the process never answers: paused or
 *       hung): abandoned and retried elsewhere at once, the endpoint ejected. Idempotent calls
 *       only.</li>
 *   <li>An attempt that hit its own timeout while the call still has time, or that the node
 *       answered DEADLINE_EXCEEDED when the attempt timeout (not the call's deadline) bounded
 *       it: the node is slow, hung or partitioned; it is ejected. Idempotent calls only.</li>
 *   <li>NO_LEADER from a node: it cannot serve now (no leader, or it cannot reach the leader),
 *       so it is ejected too; the next attempt goes straight to the leader the error names
 *       (leader_address), or elsewhere after a short delay when it names none. Nothing was
 *       done, unless the error says outcome=unknown (a write the node had forwarded when it lost
 *       the leader), which only a deduplicated write may send again.</li>
 *   <li>OVERLOADED (RESOURCE_EXHAUSTED) from a node: refused at the door, nothing was done, so
 *       any call may be retried; the next attempt waits at least the retry_after_ms the node
 *       asked for (jittered), and longer as the backoff grows.</li>
 * </ul>
 * Writes and linearizable reads go to the leader when the client knows it
 * ({@link EndpointRegistry#pickLeaderFirst}).
 * A failure of the leader, or a NO_LEADER naming no leader, asks {@link MemberDiscovery} to
 * look for the new one at once.
 * Everything else is the answer (NoNode, BadVersion, ...) and fails the call at once; so does a
 * node refusing a plaintext connection because it requires TLS ({@link TlsRequiredException}).
 *
 * <p>Delays: none before the first try of each endpoint not yet tried by this call (fast
 * failover), then jittered exponential backoff. A call never outlives its deadline: each
 * attempt's timeout is capped by what is left, and when the next delay would pass the
 * deadline the call fails now, with {@link ClusterUnavailableException} (no node could serve:
 * unreachable, or no leader) or {@link DeadlineExceededException} (a node was working on it).
 */
final class RetryingCall<Resp> {
    private enum LastFailure { NONE, UNREACHABLE, NO_LEADER, TIMEOUT, OVERLOADED }

    /**
     * How long an attempt waits for its channel to connect before trying another node. Far above
     * a TCP and HTTP/2 handshake on a LAN, even on a busy machine; far below the attempt timeout.
     */
    static final long CONNECT_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    /** During an election NO_LEADER is retried this often at most: the new leader is used within about this. */
    private static final long NO_LEADER_RETRY_CAP_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Retrier retrier;
    private final String what;
    private final Retrier.Safety safety;
    private final boolean isWrite;
    /** Whether attempts go to the leader when it is known: writes, and linearizable reads. */
    private final boolean leaderFirst;
    private final long deadlineNanos;
    private final Duration deadline;
    private final EndpointState pinned;
    private final Retrier.Attempt<Resp> attempt;
    private final CompletableFuture<Resp> result = new CompletableFuture<>();

    // Touched by one attempt at a time: each attempt starts after the previous one ended.
    private final Set<String> tried = new LinkedHashSet<>();
    /** The endpoint of the attempt in flight or just ended (a hedge starts elsewhere); at first, one to avoid. */
    private volatile EndpointState lastTarget;
    private String hint;
    private boolean lastWasHint;
    private int delayedRetries;
    /** The pause the last OVERLOADED answer asked for; 0 after other failures. */
    private long overloadPauseNanos;
    private LastFailure last = LastFailure.NONE;
    private ErrorDetails lastDetails;
    private boolean mayHaveBeenApplied;
    private volatile CompletableFuture<Resp> current;
    /** Claimed by whoever settles the attempt in flight: its answer, the connection check, or a leader move. */
    private volatile AtomicBoolean currentSettled;
    /** When the attempt in flight started (System.nanoTime). */
    private volatile long currentStartedNanos;

    /**
     * @param leaderFirst whether attempts go to the leader when it is known (writes, linearizable reads)
     * @param avoid an endpoint the first attempt should not go to if another is available (or null)
     */
    RetryingCall(Retrier retrier, String what, Retrier.Safety safety, boolean isWrite, boolean leaderFirst,
                 long deadlineNanos, Duration deadline, EndpointState pinned, EndpointState avoid,
                 Retrier.Attempt<Resp> attempt) {
        this.retrier = retrier;
        this.what = what;
        this.safety = safety;
        this.isWrite = isWrite;
        this.leaderFirst = leaderFirst;
        this.deadlineNanos = deadlineNanos;
        this.deadline = deadline;
        this.pinned = pinned;
        this.attempt = attempt;
        this.lastTarget = avoid;
        result.whenComplete((r, e) -> {
            CompletableFuture<Resp> c = current;
            if (result.isCancelled() && c != null) {
                c.cancel(true);
            }
        });
    }

    CompletableFuture<Resp> result() {
        return result;
    }

    /** The endpoint the attempt in flight went to (before the first: the one to avoid, or null). */
    EndpointState target() {
        return lastTarget;
    }

    void start() {
        attempt();
    }

    private void attempt() {
        if (result.isDone()) {
            return;
        }
        long remaining = deadlineNanos - System.nanoTime();
        if (remaining <= 0) {
            giveUp();
            return;
        }
        EndpointState target = chooseTarget();
        tried.add(target.address());
        lastTarget = target;
        long attemptNanos = Math.min(remaining, retrier.attemptTimeoutNanos());
        boolean cappedByAttemptTimeout = attemptNanos < remaining;
        CompletableFuture<Resp> f;
        try {
            f = attempt.run(target.channel(), CallOptions.DEFAULT.withDeadlineAfter(attemptNanos, TimeUnit.NANOSECONDS));
        } catch (KvorumException e) {
            result.completeExceptionally(e);
            return;
        } catch (RuntimeException e) {
            result.completeExceptionally(new KvorumException(what + " failed: " + e, e));
            return;
        }
        // Whichever settles the attempt first, its answer, the connection check or a leader move, goes on.
        AtomicBoolean settled = new AtomicBoolean();
        currentSettled = settled;
        currentStartedNanos = System.nanoTime();
        current = f;
        f.whenComplete((resp, error) -> {
            if (!settled.compareAndSet(false, true)) {
                return; // abandoned by the connection check, which retried elsewhere
            }
            if (error == null) {
                target.succeeded();
                result.complete(resp);
            } else {
                onFailure(target, unwrap(error), cappedByAttemptTimeout);
            }
        });
        if (safety == Retrier.Safety.IDEMPOTENT && pinned == null && CONNECT_GRACE_NANOS < attemptNanos
                && !connected(target)) {
            try {
                retrier.scheduler().schedule(() -> checkConnected(target, f, settled), CONNECT_GRACE_NANOS,
                        TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException closing) {
                // the client is closing: the attempt ends on its own
            }
        }
    }

    /** Whether {@code target}'s connection is up (true for a closed client: nothing to check then). */
    private static boolean connected(EndpointState target) {
        try {
            return target.channel().getState(false) == ConnectivityState.READY;
        } catch (ClientClosedException closed) {
            return true;
        }
    }

    /**
     * The attempt went to a channel that was still connecting: if it still is, the node accepts
     * TCP connections but does not complete the HTTP/2 handshake (a paused or hung process, whose
     * kernel still accepts), and the call would wait there for its whole attempt timeout. The
     * attempt is abandoned, the endpoint ejected, and the call retried on another node at once.
     * Only for calls that may be sent twice: the check and the cancel are not atomic, so the
     * request may just have left.
     */
    private void checkConnected(EndpointState target, CompletableFuture<Resp> f, AtomicBoolean settled) {
        if (f.isDone() || result.isDone() || connected(target) || !settled.compareAndSet(false, true)) {
            return;
        }
        f.cancel(true);
        target.failed();
        lostLeader(target, null, false);
        last = LastFailure.UNREACHABLE;
        lastDetails = new ErrorDetails(Status.Code.UNAVAILABLE, "no connection to " + target + " within "
                + TimeUnit.NANOSECONDS.toMillis(CONNECT_GRACE_NANOS) + " ms", null, Map.of(), false, null);
        mayHaveBeenApplied |= isWrite;
        overloadPauseNanos = 0;
        scheduleRetry(target, null);
    }

    /** Whether the attempt in flight went to {@code endpoint} before {@code startedBefore} and is still waiting. */
    boolean waitingAt(EndpointState endpoint, long startedBefore) {
        CompletableFuture<Resp> f = current;
        return lastTarget == endpoint && f != null && !f.isDone() && currentStartedNanos - startedBefore < 0;
    }

    /**
     * The client found a new leader {@code to}: if this write's attempt in flight went to the
     * leader it replaced, that node is paused, hung or deposed and the attempt could wait out its
     * whole timeout. It is abandoned and the write sent to {@code to} at once. Deduplicated
     * writes only (see {@link Retrier#leaderMoved}): should the abandoned copy still be applied,
     * the cluster applies the (client id, sequence) once.
     */
    void leaderMoved(EndpointState from, EndpointState to) {
        CompletableFuture<Resp> f = current;
        AtomicBoolean settled = currentSettled;
        if (lastTarget != from || from == to || f == null || f.isDone() || result.isDone() || settled == null
                || !settled.compareAndSet(false, true)) {
            return;
        }
        f.cancel(true);
        last = LastFailure.TIMEOUT;
        lastDetails = new ErrorDetails(Status.Code.UNAVAILABLE, "abandoned at " + from + ": the leader moved to "
                + to, null, Map.of(), false, null);
        mayHaveBeenApplied |= isWrite;
        overloadPauseNanos = 0;
        hint = to.address();
        lastWasHint = true;
        try {
            retrier.scheduler().execute(this::attempt);
        } catch (RejectedExecutionException closed) {
            result.completeExceptionally(new ClientClosedException(what + " failed: the Kvorum client is closed"));
        }
    }

    private EndpointState chooseTarget() {
        if (hint != null) {
            String h = hint;
            hint = null;
            try {
                EndpointState named = retrier.endpoints().forAddress(h);
                if (named.available()) {
                    return named; // an ejected one is the dead leader other nodes still name
                }
            } catch (IllegalArgumentException badAddress) {
                // a hint we cannot use: route as usual
            }
        }
        if (pinned != null) {
            return pinned;
        }
        return leaderFirst ? retrier.endpoints().pickLeaderFirst(lastTarget) : retrier.endpoints().pick(lastTarget);
    }

    private void onFailure(EndpointState target, Throwable error, boolean attemptTimedOutEarly) {
        if (result.isDone()) {
            return; // cancelled by the caller
        }
        if (!(error instanceof StatusRuntimeException || error instanceof StatusException)) {
            result.completeExceptionally(error instanceof KvorumException ke ? ke
                    : new KvorumException(what + " failed: " + error, error));
            return;
        }
        ErrorDetails d = ErrorDetails.of(error);
        lastDetails = d;
        boolean retry;
        String leader = null;
        overloadPauseNanos = 0;
        if (d.tlsRequired()) {
            // Configuration, not a passing failure: every node of the cluster would say the same.
            result.completeExceptionally(ErrorMapper.toException(d, what));
            return;
        }
        if (d.isOverloaded()) {
            target.succeeded(); // it answered: reachable, just busy
            last = LastFailure.OVERLOADED;
            retry = true;
            overloadPauseNanos = d.retryAfterNanos();
        } else if (d.isNoLeader()) {
            // It answered, but cannot serve us until it is in touch with a leader again.
            target.failed();
            last = LastFailure.NO_LEADER;
            mayHaveBeenApplied |= isWrite && d.outcomeUnknown();
            retry = safety == Retrier.Safety.IDEMPOTENT || !d.outcomeUnknown();
            leader = d.leaderAddress();
            lostLeader(target, leader, true);
        } else if (d.code() == Status.Code.DEADLINE_EXCEEDED && (d.fromServer() || attemptTimedOutEarly)) {
            // The node did not finish in time: slow, partitioned from the leader, or hung. When
            // the attempt timeout bounded it, the node's own DEADLINE_EXCEEDED (sent just before
            // ours would fire) means the same as our timer: out of routing until a probe passes.
            // A node that hears its leader but cannot reach it (one-way partition) answers only
            // this way, and kept in routing it would hold every few calls for a whole attempt.
            // Bounded by the call's own deadline instead, it says nothing about the node.
            if (attemptTimedOutEarly) {
                target.failed();
                lostLeader(target, null, false);
            }
            last = LastFailure.TIMEOUT;
            mayHaveBeenApplied |= isWrite;
            retry = safety == Retrier.Safety.IDEMPOTENT;
        } else if (d.code() == Status.Code.UNAVAILABLE && !d.fromServer()) {
            target.failed();
            lostLeader(target, null, false);
            last = LastFailure.UNREACHABLE;
            mayHaveBeenApplied |= isWrite && !d.notSent();
            retry = safety == Retrier.Safety.IDEMPOTENT || d.notSent();
        } else if (d.code() == Status.Code.DEADLINE_EXCEEDED) {
            last = LastFailure.TIMEOUT; // the call's own deadline
            mayHaveBeenApplied |= isWrite;
            giveUp();
            return;
        } else {
            result.completeExceptionally(ErrorMapper.toException(d, what));
            return;
        }
        if (!retry) {
            giveUp();
            return;
        }
        scheduleRetry(target, leader);
    }

    private void scheduleRetry(EndpointState failed, String leader) {
        long delay;
        if (leader != null && !leader.equals(failed.address()) && !lastWasHint) {
            hint = leader;
            lastWasHint = true;
            delay = 0; // a node told us where the leader is: go there now
        } else {
            lastWasHint = false;
            delay = untriedEndpointLeft() && last == LastFailure.UNREACHABLE ? 0
                    : retrier.backoff().delayNanos(++delayedRetries);
            if (last == LastFailure.NO_LEADER && delay > NO_LEADER_RETRY_CAP_NANOS) {
                delay = NO_LEADER_RETRY_CAP_NANOS / 2
                        + ThreadLocalRandom.current().nextLong(NO_LEADER_RETRY_CAP_NANOS / 2);
            }
            if (overloadPauseNanos > 0) {
                // Jittered so that clients refused together do not come back together.
                delay = Math.max(delay, overloadPauseNanos + ThreadLocalRandom.current().nextLong(overloadPauseNanos));
            }
        }
        long remaining = deadlineNanos - System.nanoTime();
        if (delay >= remaining) {
            giveUp();
            return;
        }
        try {
            retrier.scheduler().schedule(this::attempt, delay, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closed) {
            result.completeExceptionally(new ClientClosedException(what + " failed: the Kvorum client is closed"));
        }
    }

    /**
     * {@code failed} could not serve: if it was the leader we knew, look for the new one. A
     * NO_LEADER naming a leader re-routes writes there at once; one naming none starts the search.
     */
    private void lostLeader(EndpointState failed, String namedLeader, boolean noLeaderAnswer) {
        EndpointRegistry endpoints = retrier.endpoints();
        if (namedLeader != null && !namedLeader.equals(failed.address())) {
            endpoints.leaderHint(namedLeader);
            return;
        }
        boolean wasLeader = endpoints.leader() == failed;
        endpoints.notLeader(failed);
        if (wasLeader || noLeaderAnswer) {
            retrier.discovery().refreshSoon();
        }
    }

    private boolean untriedEndpointLeft() {
        if (pinned != null) {
            return false;
        }
        for (EndpointState e : retrier.endpoints().routable()) {
            if (!tried.contains(e.address())) {
                return true;
            }
        }
        return false;
    }

    /** The deadline is spent (or no retry is allowed): fail with what the attempts saw. */
    private void giveUp() {
        List<String> endpoints = new ArrayList<>(tried);
        String lastError = lastDetails == null ? "none" : lastDetails.summary();
        Throwable cause = lastDetails == null ? null : lastDetails.cause();
        String outcome = mayHaveBeenApplied ? " The write may or may not have been applied." : "";
        KvorumException e = switch (last) {
            case TIMEOUT -> new DeadlineExceededException(what + " did not complete within its deadline of "
                    + millis(deadline) + "; tried " + endpoints + "; last error: " + lastError + "." + outcome,
                    cause, endpoints);
            case OVERLOADED -> new ClusterUnavailableException(what + " failed: the Kvorum cluster is overloaded: "
                    + "every node tried refused it as over its in-flight limit until the deadline of "
                    + millis(deadline) + " passed; tried " + endpoints + "; last error: " + lastError + "." + outcome,
                    cause, "OVERLOADED", endpoints, mayHaveBeenApplied);
            case NO_LEADER -> new ClusterUnavailableException(what + " failed: the Kvorum cluster has no leader "
                    + "(no quorum of nodes can reach each other) and did not elect one within "
                    + millis(deadline) + "; tried " + endpoints + "; last error: " + lastError + "." + outcome,
                    cause, "NO_LEADER", endpoints, mayHaveBeenApplied);
            default -> new ClusterUnavailableException(what + " failed: the Kvorum cluster is unreachable: no node "
                    + "answered within " + millis(deadline) + "; tried " + endpoints + " (of "
                    + retrier.endpoints().addresses() + "); last error: " + lastError + "." + outcome,
                    cause, lastDetails == null ? null : lastDetails.reason(), endpoints, mayHaveBeenApplied);
        };
        result.completeExceptionally(e);
    }

    private static String millis(Duration d) {
        return d.toMillis() + " ms";
    }

    private static Throwable unwrap(Throwable t) {
        Throwable e = t;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}
