package io.kvorum.jepsen.nemesis;

import io.kvorum.client.MembershipChangeException;
import io.kvorum.jepsen.harness.NodeStatus;
import io.kvorum.jepsen.harness.ProcessCluster;
import io.kvorum.jepsen.harness.ServerProcess;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * Removes a random member (the leader too) and, on stop, adds it back.
 *
 * <p>While removed the node keeps running on its old data, as a decommissioned but not yet
 * stopped server would: it must neither disrupt the others nor answer reads from its frozen
 * copy. It comes back the way an operator adds a member (etcd's runtime reconfiguration): a
 * new, empty node started with {@code --join} is added as a learner, catches up from the
 * leader, and is promoted to voter once caught up. See {@link MemberReplacer} for why this is
 * safe although the member keeps its id.
 */
public final class MembershipNemesis implements Nemesis {
    private final ProcessCluster cluster;
    private final ClusterAdmin admin;
    private final MemberReplacer replacer;
    private Long removed;

    public MembershipNemesis(ProcessCluster cluster, ClusterAdmin admin) {
        this.cluster = cluster;
        this.admin = admin;
        this.replacer = new MemberReplacer(cluster, admin);
    }

    @Override
    public String name() {
        return "membership";
    }

    @Override
    public synchronized String start(Random random) throws Exception {
        if (!admin.available() || !replacer.whole()) {
            return null; // only a whole cluster gives up a member
        }
        List<Long> ids = cluster.voterIds();
        long victim = ids.get(random.nextInt(ids.size()));
        boolean wasLeader = cluster.leader().map(l -> l == victim).orElse(false);
        try {
            admin.removeMember(victim);
        } catch (MembershipChangeException refused) {
            return null;
        } catch (Exception e) {
            // Not deduplicated, not retried: whether it happened shows in the membership.
            if (!replacer.awaitRemoved(victim, Duration.ofSeconds(10))) {
                throw e;
            }
        }
        removed = victim;
        return "removed member " + victim + (wasLeader ? " (the leader)" : "");
    }

    @Override
    public synchronized void stop() throws Exception {
        if (removed != null) {
            long id = removed;
            removed = null;
            replacer.replace(id);
        }
    }

    /** Whatever happened: every node meant to vote a voter again (observers stay observers). */
    @Override
    public synchronized void healAll() throws Exception {
        stop();
        for (long id : cluster.voterIds()) {
            Optional<Long> leader = cluster.leader();
            Optional<NodeStatus> s = leader.flatMap(l -> cluster.node(l).status());
            if (s.isPresent() && !s.get().voters().contains(id)) {
                ServerProcess n = cluster.node(id);
                replacer.replace(n.id);
            }
        }
    }
}
