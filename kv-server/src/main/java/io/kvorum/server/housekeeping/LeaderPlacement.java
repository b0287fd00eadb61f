package io.kvorum.server.housekeeping;

import io.kvorum.proto.internal.v1.Locality;
import io.kvorum.server.node.NodeStatus;
import io.kvorum.server.node.RaftNode;
import io.kvorum.server.state.CoordinationState;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps leadership in the preferred datacenters ({@code --leader-preference dc1,dc2}, most
 * preferred first): a leader whose own datacenter ranks below another voter's hands leadership
 * to that voter (Raft's leadership transfer: the target is caught up, then sent TimeoutNow).
 *
 * <p>Why it does not flap: it acts only on the leader, only after that node has led for
 * {@code settle} in one term (an election's aftermath settles first), only towards a strictly
 * better-ranked datacenter (a leader in the best healthy one never moves, so two preferred
 * nodes never pass leadership back and forth), only to a voter the leader heard from within an
 * election timeout that trails its commit index by at most {@link #MAX_LAG} entries, and after a
 * hand-off that did not happen it waits {@code settle} again before the next try. Preferences
 * are per node; give every node the same one.
 */
public final class LeaderPlacement implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderPlacement.class);
    /** A target may trail the leader's commit index by this many entries (the transfer catches it up). */
    static final long MAX_LAG = 1000;

    private final RaftNode node;
    private final CoordinationState state;
    private final String ownDatacenter;
    private final List<String> preference;
    private final long settleNanos;
    private final LongSupplier clock;
    private ScheduledFuture<?> task;
    /** The term in which this node was last seen leading; 0: not leading at the last look. */
    private long leaderTerm;
    /** Clock nanos before which no hand-off is tried (settling after an election or a try). */
    private long nextTry;

    /**
     * @param ownDatacenter this node's datacenter (its own flag: it knows before announcing it)
     * @param preference    datacenters to keep leadership in, most preferred first; empty: anywhere
     * @param settle        how long a leader leads before it hands off, and the pause between tries
     * @param clock         nanoseconds, monotonic ({@code System::nanoTime}; tests pass their own)
     */
    public LeaderPlacement(RaftNode node, CoordinationState state, String ownDatacenter, List<String> preference,
                           Duration settle, LongSupplier clock) {
        this.node = node;
        this.state = state;
        this.ownDatacenter = ownDatacenter;
        this.preference = List.copyOf(preference);
        this.settleNanos = settle.toNanos();
        this.clock = clock;
    }

    public void start(ScheduledExecutorService timer, Duration interval) {
        if (preference.isEmpty()) {
            return;
        }
        task = timer.scheduleWithFixedDelay(PeriodicTask.guard(this::check), interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** One look: hands leadership off when this node leads outside the best available datacenter. */
    void check() {
        NodeStatus s = node.status();
        long now = clock.getAsLong();
        if (!"leader".equals(s.role())) {
            leaderTerm = 0;
            return;
        }
        if (s.term() != leaderTerm) {
            leaderTerm = s.term();
            nextTry = now + settleNanos;
            return;
        }
        if (now - nextTry < 0) {
            return;
        }
        Map<Long, String> datacenters = datacenters();
        long target = target(s, ownDatacenter, preference, datacenters);
        if (target == 0) {
            return;
        }
        nextTry = now + settleNanos;
        LOG.info("node {} (datacenter '{}') hands leadership to node {} in preferred datacenter '{}'", s.id(),
                ownDatacenter, target, datacenters.get(target));
        node.transferLeadership(target).orTimeout(settleNanos, TimeUnit.NANOSECONDS).whenComplete((v, e) -> {
            if (e != null) {
                LOG.info("leadership hand-off to node {} did not complete: {}", target, e.toString());
            }
        });
    }

    /**
     * The voter to hand leadership to: live, caught up, in the best-ranked datacenter strictly
     * better than the leader's own (the most up-to-date among equals); 0 if none.
     *
     * @param datacenters each member's announced datacenter (absent: unknown, ranked last)
     */
    static long target(NodeStatus s, String ownDatacenter, List<String> preference, Map<Long, String> datacenters) {
        int bestRank = rank(preference, ownDatacenter);
        long best = 0;
        long bestMatch = -1;
        for (long v : s.voters()) {
            if (v == s.id() || !s.active().getOrDefault(v, false)) {
                continue;
            }
            long match = s.matchIndex().getOrDefault(v, 0L);
            if (match + MAX_LAG < s.commitIndex()) {
                continue;
            }
            int r = rank(preference, datacenters.getOrDefault(v, ""));
            if (r < bestRank || (r == bestRank && best != 0 && match > bestMatch)) {
                best = v;
                bestRank = r;
                bestMatch = match;
            }
        }
        return best;
    }

    private Map<Long, String> datacenters() {
        Map<Long, String> out = new HashMap<>();
        for (Map.Entry<Long, Locality> e : state.memberLocalities().entrySet()) {
            out.put(e.getKey(), e.getValue().getDatacenter());
        }
        return out;
    }

    /** Position in the preference; datacenters not listed (or unknown) rank after all listed ones. */
    private static int rank(List<String> preference, String datacenter) {
        int i = preference.indexOf(datacenter);
        return i < 0 ? preference.size() : i;
    }

    @Override
    public void close() {
        if (task != null) {
            task.cancel(false);
        }
    }
}
