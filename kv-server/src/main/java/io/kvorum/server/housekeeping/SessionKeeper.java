package io.kvorum.server.housekeeping;

import io.kvorum.proto.internal.v1.Command;
import io.kvorum.proto.internal.v1.ExpireSessions;
import io.kvorum.proto.internal.v1.TouchSessions;
import io.kvorum.server.node.RaftNode;
import io.kvorum.server.state.CoordinationState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ScheduledFuture;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps sessions alive and expires the ones whose clients went quiet.
 *
 * <p>Every node records the sessions its keep-alive streams touched and, every
 * {@code touchFlushInterval} (when there were any), replicates them as one TouchSessions
 * command: a keep-alive costs a log entry per batch, not per request. A keep-alive is answered
 * only once the batch carrying it committed, so an answer always means the current leader
 * heard it (found by the jepsen-style session workload: a follower cut off from the leader
 * used to answer at once while the leader expired the session). Only the leader decides
 * expiry: it keeps {@code lastSeen[session]} in memory (on its own keep-alives and on every
 * applied touch, via {@link CoordinationState#onTouch}) and every {@code expiryCheckInterval}
 * proposes ExpireSessions for the sessions silent longer than their TTL, so every node deletes
 * the same ephemerals at the same revision.
 *
 * <p>Across a leader change (etcd-io/etcd#9395: lease TTLs reset on every leader change): a new
 * leader sets lastSeen = now for every session it knows. It never expires a live session early
 * (the client has a full TTL to reach the new leader, directly or through a follower's touch)
 * and a dead session lives at most TTL + (time from the old leader's failure to the new
 * leader's first check: the election time plus one check interval) + the commit of the
 * expiry. The bound holds for any number of leader changes because each resets to "now" once.
 */
public final class SessionKeeper implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SessionKeeper.class);
    private static final long PROPOSE_TIMEOUT_MILLIS = 5_000;

    private final RaftNode node;
    private final CoordinationState state;
    private final CommandProposer proposer;
    private final Duration flushInterval;
    private final Duration checkInterval;
    private final IntConsumer expired;
    private final Set<Long> touched = ConcurrentHashMap.newKeySet();
    /** On the leader: when each session was last heard of, on this node's monotonic clock (ms). */
    private final Map<Long, Long> lastSeen = new ConcurrentHashMap<>();
    private final LeaderTerm leaderTerm = new LeaderTerm();
    private volatile boolean leading;
    /** The expiry proposal in flight (timer thread only): one at a time, so a slow commit is not flooded. */
    private CompletableFuture<?> expiring = CompletableFuture.completedFuture(null);
    private final List<ScheduledFuture<?>> tasks = new ArrayList<>();

    /** @param expired told how many sessions each expiry this node decided ended (for metrics) */
    public SessionKeeper(RaftNode node, CoordinationState state, CommandProposer proposer, Duration flushInterval,
                         Duration checkInterval, IntConsumer expired) {
        this.node = node;
        this.expired = expired;
        this.state = state;
        this.proposer = proposer;
        this.flushInterval = flushInterval;
        this.checkInterval = checkInterval;
    }

    public void start(ScheduledExecutorService timer) {
        // Only the leader needs lastSeen: a new leader starts from "now" for every session anyway.
        state.onTouch(id -> {
            if (leading) {
                lastSeen.put(id, nowMillis());
            }
        });
        tasks.add(timer.scheduleWithFixedDelay(PeriodicTask.guard(this::flush), flushInterval.toMillis(), flushInterval.toMillis(),
                TimeUnit.MILLISECONDS));
        tasks.add(timer.scheduleWithFixedDelay(PeriodicTask.guard(this::check), checkInterval.toMillis(), checkInterval.toMillis(),
                TimeUnit.MILLISECONDS));
    }

    /**
     * A keep-alive for a session this node knows arrived. The returned future completes once
     * a TouchSessions command carrying it has committed: only then may the keep-alive be
     * answered. A node cut off from the leader, or a leader deposed without knowing it, must
     * not tell a client its session is alive while the real leader may be expiring it.
     */
    public synchronized CompletableFuture<Void> keptAlive(long sessionId) {
        touched.add(sessionId);
        if (leading) {
            lastSeen.put(sessionId, nowMillis());
        }
        return nextFlush;
    }

    /** Completed when the next batch of touches commits; swapped with the batch it covers. */
    private CompletableFuture<Void> nextFlush = new CompletableFuture<>();

    /** Replicates the sessions touched since the last flush in one command. */
    void flush() {
        List<Long> ids = new ArrayList<>();
        CompletableFuture<Void> covered;
        synchronized (this) {
            if (touched.isEmpty()) {
                return;
            }
            // Swap and drain together with keptAlive excluded: a waiter is only ever handed
            // the future of a batch that carries its session.
            covered = nextFlush;
            nextFlush = new CompletableFuture<>();
            ids.addAll(touched);
            touched.clear();
        }
        proposer.propose(Command.newBuilder().setTouchSessions(TouchSessions.newBuilder().addAllSessionIds(ids)),
                PROPOSE_TIMEOUT_MILLIS).whenComplete((r, e) -> {
                    if (e == null) {
                        covered.complete(null);
                        return;
                    }
                    // Not replicated (no leader, or too slow): the next batch carries them again,
                    // and their waiters wait for it.
                    CompletableFuture<Void> next;
                    synchronized (this) {
                        touched.addAll(ids);
                        next = nextFlush;
                    }
                    next.whenComplete((v, f) -> covered.complete(null));
                });
    }

    /** On the leader: expires the sessions silent for longer than their TTL. */
    void check() {
        boolean was = leading;
        leading = leaderTerm.leading(node.status(), this::startTerm);
        if (!leading) {
            if (was) {
                lastSeen.clear();
            }
            return;
        }
        // Every touch applied up to this index is already in lastSeen (onTouch runs while it is
        // applied, before the status is published); a touch applied later renews the session
        // at apply time even if this decision expires it (Sessions#expire).
        long decidedAt = node.status().appliedIndex();
        long now = nowMillis();
        Map<Long, Long> sessions = state.sessions();
        List<Long> expired = new ArrayList<>();
        for (Map.Entry<Long, Long> s : sessions.entrySet()) {
            Long seen = lastSeen.putIfAbsent(s.getKey(), now); // first sight (a new session) counts as a touch
            if (seen != null && now - seen > s.getValue()) {
                expired.add(s.getKey());
            }
        }
        lastSeen.keySet().retainAll(sessions.keySet());
        if (!expired.isEmpty() && expiring.isDone()) {
            LOG.info("node {} expires sessions {}: no keep-alive within their TTL", node.status().id(), expired);
            this.expired.accept(expired.size());
            expiring = proposer.propose(Command.newBuilder().setExpireSessions(
                    ExpireSessions.newBuilder().addAllSessionIds(expired).setDecidedAtIndex(decidedAt)),
                    PROPOSE_TIMEOUT_MILLIS);
        }
    }

    private void startTerm() {
        long now = nowMillis();
        lastSeen.clear();
        for (Long id : state.sessions().keySet()) {
            lastSeen.put(id, now);
        }
        expiring = CompletableFuture.completedFuture(null);
        LOG.info("node {} leads term {}: {} sessions get a fresh TTL", node.status().id(), node.status().term(),
                lastSeen.size());
    }

    private static long nowMillis() {
        return System.nanoTime() / 1_000_000;
    }

    @Override
    public void close() {
        tasks.forEach(t -> t.cancel(false));
    }
}
