package io.kvorum.jepsen.nemesis;

import io.kvorum.client.MembershipChangeException;
import io.kvorum.jepsen.harness.NodeStatus;
import io.kvorum.jepsen.harness.ProcessCluster;
import io.kvorum.jepsen.harness.ServerProcess;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Brings a removed member back as a new, empty member with the same id: kill the old process,
 * delete its data, start it with {@code --join}, add it as a learner, let it catch up, promote.
 *
 * <p>Reusing the id with a wiped data dir is where Raft can go wrong: the new incarnation has
 * forgotten its term and its votes, so it could vote a second time in a term where the old one
 * already voted and help elect two leaders of one term. Two steps rule that out:
 * <ol>
 *   <li>The empty node starts only after every remaining member has applied the removal: from
 *       then on nobody counts its votes until it is promoted (a node that still saw it as a
 *       voter could otherwise win an election with the votes of the newcomer alone).</li>
 *   <li>It is promoted only once the leader's term is past every term the old incarnation can
 *       have seen (a leadership transfer starts a new term when needed), so as a voter it only
 *       ever votes in terms the old one never reached.</li>
 * </ol>
 * (Learners catch up from the leader before promotion, and the leader refuses to promote one
 * that lags, so the new voter never stalls commits.)
 */
final class MemberReplacer {
    private static final Duration STEP = Duration.ofSeconds(60);

    private final ProcessCluster cluster;
    private final ClusterAdmin admin;

    MemberReplacer(ProcessCluster cluster, ClusterAdmin admin) {
        this.cluster = cluster;
        this.admin = admin;
    }

    /** Whether every node runs and every one of them has every node meant to vote as a voter. */
    boolean whole() {
        for (Map.Entry<Long, Optional<NodeStatus>> e : cluster.statuses().entrySet()) {
            if (e.getValue().isEmpty() || !e.getValue().get().voters().containsAll(cluster.voterIds())) {
                return false;
            }
        }
        return true;
    }

    /** Waits until every other running node has applied the removal of {@code id}. */
    boolean awaitRemoved(long id, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            boolean all = true;
            for (long other : cluster.ids()) {
                ServerProcess n = cluster.node(other);
                if (other == id || !n.isRunning() || n.isPaused()) {
                    continue;
                }
                Optional<NodeStatus> s = n.status();
                all &= s.isPresent() && !s.get().voters().contains(id);
            }
            if (all) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    void replace(long id) throws Exception {
        if (!awaitRemoved(id, STEP)) {
            throw new IllegalStateException("node " + id + " is still a voter somewhere: " + cluster.statuses());
        }
        ServerProcess node = cluster.node(id);
        long oldTerm = maxTerm();
        node.kill();
        node.startEmptyJoining();
        try {
            admin.addLearner(id, "127.0.0.1:" + node.peerPort);
        } catch (MembershipChangeException e) {
            // Added already by an attempt whose answer was lost: go on if it shows.
            if (!admin.isLearner(id)) {
                throw e;
            }
        }
        long leader = cluster.awaitLeader(STEP, others(id));
        while (cluster.node(leader).status().map(NodeStatus::term).orElse(0L) <= oldTerm) {
            admin.transferLeadership(0);
            leader = cluster.awaitLeader(STEP, others(id));
        }
        admin.promote(id, STEP);
        cluster.awaitLeader(STEP);
    }

    private java.util.List<Long> others(long id) {
        java.util.List<Long> ids = cluster.ids();
        ids.remove(Long.valueOf(id));
        return ids;
    }

    /** The highest term any node reports (the removed one included, while it still answers). */
    private long maxTerm() {
        long max = 0;
        for (Optional<NodeStatus> s : cluster.statuses().values()) {
            max = Math.max(max, s.map(NodeStatus::term).orElse(0L));
        }
        return max;
    }
}
