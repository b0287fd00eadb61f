package io.kvorum.client;

import io.grpc.CallOptions;
import io.grpc.Status;
import io.kvorum.proto.v1.ClusterGrpc;
import io.kvorum.proto.v1.ListMembersRequest;
import io.kvorum.proto.v1.ListMembersResponse;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the client's member list and leader current: asks a node for the members (Cluster
 * ListMembers) on the client's first call, then every {@code interval}, and at once when
 * something hints that leadership moved: an answer from a higher raft term than seen so far, a
 * leader that failed, a NO_LEADER naming no leader. While the cluster reports no leader (an
 * election), it asks again every {@link #CHASE_DELAY_MILLIS} for a few rounds, so writes find
 * the new leader right after it is elected. One request at a time; failures are ignored (the
 * next round tries another node).
 */
final class MemberDiscovery {
    private static final Logger LOG = LoggerFactory.getLogger(MemberDiscovery.class);
    static final long CHASE_DELAY_MILLIS = 50;
    private static final int CHASE_ROUNDS = 40;

    private final EndpointRegistry endpoints;
    private final ScheduledExecutorService scheduler;
    private final long intervalMillis;
    private final long timeoutNanos;
    private final boolean enabled;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean inFlight = new AtomicBoolean();
    /** Set when a hint arrived while a request was in flight: ask again when it ends. */
    private volatile boolean again;
    private final AtomicLong highestTerm = new AtomicLong();
    /**
     * A higher term was seen and no member list has answered since: the leader we know may be
     * deposed or hung (a paused leader keeps its connections open and answers nothing), so the
     * next request goes to another node.
     */
    private volatile boolean leaderStale;
    private volatile int chase;

    /**
     * @param enabled false: never ask ({@link KvorumClientBuilder#memberDiscovery}); every method
     *                is then a no-op
     */
    MemberDiscovery(EndpointRegistry endpoints, ScheduledExecutorService scheduler, Duration interval,
                    Duration timeout, boolean enabled) {
        this.enabled = enabled;
        this.endpoints = endpoints;
        this.scheduler = scheduler;
        this.intervalMillis = interval.toMillis();
        this.timeoutNanos = timeout.toNanos();
    }

    /** Called on every call: the first one starts discovery (the client connects lazily). */
    void touch() {
        if (enabled && !started.get() && started.compareAndSet(false, true)) {
            try {
                scheduler.scheduleWithFixedDelay(this::refresh, 0, intervalMillis, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException closing) {
                // the client is closing
            }
        }
    }

    /** An answer's raft term: a term above every one seen means leadership may have moved. */
    void observeTerm(long term) {
        long seen = highestTerm.get();
        if (term > seen && highestTerm.compareAndSet(seen, term) && seen != 0) {
            leaderStale = true;
            refreshSoon();
        }
    }

    /**
     * A write has waited at the leader for long: it may be paused or deposed. Ask another node
     * than it now.
     */
    void leaderSuspect() {
        leaderStale = true;
        refreshSoon();
    }

    /** Something suggests the leader changed: ask now (and keep asking while no leader is known). */
    void refreshSoon() {
        if (!started.get()) {
            return;
        }
        chase = CHASE_ROUNDS;
        try {
            scheduler.execute(this::refresh);
        } catch (RejectedExecutionException closing) {
            // the client is closing
        }
    }

    private void refresh() {
        if (!inFlight.compareAndSet(false, true)) {
            again = true;
            return;
        }
        again = false;
        EndpointState target = endpoints.forBackground(leaderStale);
        try {
            Rpc.unary(target.channel(), ClusterGrpc.getListMembersMethod(),
                    CallOptions.DEFAULT.withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS),
                    ListMembersRequest.getDefaultInstance()).whenComplete((r, e) -> done(target, r, e));
        } catch (RuntimeException closing) {
            inFlight.set(false);
        }
    }

    private void done(EndpointState target, ListMembersResponse r, Throwable error) {
        boolean leaderless = true;
        if (error == null) {
            leaderStale = false;
            endpoints.members(r.getMembersList(), r.getLeaderId());
            observeTerm(r.getHeader().getRaftTerm());
            leaderless = r.getLeaderId() == 0 || endpoints.leader() == null;
        } else {
            LOG.debug("member list from {} failed: {}", target, error.toString());
            ErrorDetails d = ErrorDetails.of(Futures.unwrap(error));
            if (!d.fromServer() && (d.code() == Status.Code.UNAVAILABLE || d.code() == Status.Code.DEADLINE_EXCEEDED)) {
                target.failed(); // unreachable or silent (paused, hung): ask elsewhere next time
            }
        }
        inFlight.set(false);
        if (again) {
            refreshLater(0);
        } else if (leaderless && chase > 0) {
            chase--;
            refreshLater(CHASE_DELAY_MILLIS);
        } else if (!leaderless) {
            chase = 0;
        }
    }

    private void refreshLater(long millis) {
        try {
            scheduler.schedule(this::refresh, millis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            // the client is closing
        }
    }
}
