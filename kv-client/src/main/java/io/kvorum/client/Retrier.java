package io.kvorum.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a call with retries (reads possibly hedged, see {@link #read}): each attempt goes to an endpoint chosen by the policy (a write: to
 * the leader when known; or to the one a leader hint named), has its own timeout (so a hung node costs one attempt, not the whole
 * deadline), and failures that another attempt could fix are retried after a jittered,
 * growing delay until the call's deadline. See {@link RetryingCall} for which failures.
 */
final class Retrier {
    /** Whether a call may be sent twice. */
    enum Safety {
        /**
         * A read, or a write carrying (client id, sequence): a second delivery changes nothing,
         * so any failure that another attempt could fix is retried.
         */
        IDEMPOTENT,
        /**
         * A write without deduplication (cluster membership changes): retried only when the
         * request surely was not acted on: the connection never opened, or the node refused it
         * with NO_LEADER before doing anything.
         */
        ONLY_IF_NOT_ACTED_ON
    }

    /** One attempt: send the request over {@code channel} with {@code options} (which carry its deadline). */
    @FunctionalInterface
    interface Attempt<Resp> {
        CompletableFuture<Resp> run(Channel channel, CallOptions options);
    }

    /** How often, while deduplicated writes are in flight, they are checked for one stuck at the leader. */
    static final long LEADER_CHECK_EVERY_MILLIS = 100;

    private final EndpointRegistry endpoints;
    private final MemberDiscovery discovery;
    private final Backoff backoff;
    private final ScheduledExecutorService scheduler;
    private final long attemptTimeoutNanos;
    /** When reads are hedged; null: never. */
    private final HedgePolicy hedging;
    /** Deduplicated writes not yet done, re-routed when a new leader is found ({@link #leaderMoved}). */
    private final Set<RetryingCall<?>> writes = ConcurrentHashMap.newKeySet();
    /** Whether a {@link #checkLeader} is scheduled; it runs only while writes are in flight. */
    private final AtomicBoolean checking = new AtomicBoolean();

    /** @param hedgeReads whether a read goes to a second endpoint when the first is slow ({@link HedgedRead}) */
    Retrier(EndpointRegistry endpoints, MemberDiscovery discovery, Backoff backoff, ScheduledExecutorService scheduler,
            Duration attemptTimeout, boolean hedgeReads) {
        this.endpoints = endpoints;
        this.discovery = discovery;
        this.backoff = backoff;
        this.scheduler = scheduler;
        this.attemptTimeoutNanos = attemptTimeout.toNanos();
        // A hedge later than half the attempt timeout would come after most stuck attempts have given up anyway.
        this.hedging = hedgeReads ? new HedgePolicy(attemptTimeoutNanos / 2) : null;
    }

    /**
     * A read (it changes nothing, so it is retried freely), routed by the policy, or to the leader
     * first when {@code leaderFirst}, and hedged to a second endpoint when the first is slow, if
     * hedging is on.
     */
    <Resp> CompletableFuture<Resp> read(String what, Duration deadline, boolean leaderFirst, Attempt<Resp> attempt) {
        discovery.touch();
        long deadlineNanos = System.nanoTime() + deadline.toNanos();
        if (hedging != null) {
            return new HedgedRead<>(this, hedging, what, deadlineNanos, deadline, leaderFirst, attempt).start();
        }
        RetryingCall<Resp> call = new RetryingCall<>(this, what, Safety.IDEMPOTENT, false, leaderFirst, deadlineNanos,
                deadline, null, null, attempt);
        call.start();
        return call.result();
    }

    /**
     * Runs {@code attempt} until it succeeds, fails for good, or {@code deadline} passes.
     *
     * @param what names the call in error messages ("create /a")
     * @param isWrite whether a failure may leave the outcome unknown; writes go to the leader when it is known
     * @param pinned the only endpoint to use, or null to route by the policy
     */
    <Resp> CompletableFuture<Resp> call(String what, Safety safety, boolean isWrite, Duration deadline,
                                        EndpointState pinned, Attempt<Resp> attempt) {
        discovery.touch();
        RetryingCall<Resp> call = new RetryingCall<>(this, what, safety, isWrite, isWrite,
                System.nanoTime() + deadline.toNanos(), deadline, pinned, null, attempt);
        if (isWrite && safety == Safety.IDEMPOTENT && pinned == null) {
            writes.add(call);
            call.result().whenComplete((r, e) -> writes.remove(call));
            scheduleLeaderCheck();
        }
        call.start();
        return call.result();
    }

    private void scheduleLeaderCheck() {
        if (!checking.get() && checking.compareAndSet(false, true)) {
            try {
                scheduler.schedule(this::checkLeader, LEADER_CHECK_EVERY_MILLIS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException closing) {
                // the client is closing
            }
        }
    }

    /**
     * A deduplicated write that has waited at the leader for a quarter of the attempt timeout
     * hints that the leader is paused, hung or deposed (a paused process keeps its connections
     * open and answers nothing): discovery asks another node who leads, and if it names a new
     * leader, {@link #leaderMoved} sends the waiting writes there.
     */
    private void checkLeader() {
        EndpointState leader = endpoints.leader();
        long startedBefore = System.nanoTime() - attemptTimeoutNanos / 4;
        if (leader != null) {
            for (RetryingCall<?> call : writes) {
                if (call.waitingAt(leader, startedBefore)) {
                    discovery.leaderSuspect();
                    break;
                }
            }
        }
        checking.set(false);
        if (!writes.isEmpty()) {
            scheduleLeaderCheck();
        }
    }

    /**
     * The member list named a new leader {@code to} in place of {@code from}: deduplicated writes
     * still waiting at {@code from} (hung, paused or deposed) go to {@code to} now rather than
     * after their attempt timeout.
     */
    void leaderMoved(EndpointState from, EndpointState to) {
        if (from == null) {
            return;
        }
        for (RetryingCall<?> call : writes) {
            call.leaderMoved(from, to);
        }
    }

    EndpointRegistry endpoints() {
        return endpoints;
    }

    MemberDiscovery discovery() {
        return discovery;
    }

    Backoff backoff() {
        return backoff;
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    long attemptTimeoutNanos() {
        return attemptTimeoutNanos;
    }
}
