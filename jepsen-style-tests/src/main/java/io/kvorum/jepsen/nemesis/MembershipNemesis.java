package io.kvorum.jepsen.nemesis;

import io.kvorum.jepsen.harness.ProcessCluster;
import java.util.List;
import java.util.Random;

/** Removes a random member from the configuration, and adds it back on stop. */
public final class MembershipNemesis implements Nemesis {
    private final ProcessCluster cluster;
    private final ClusterAdmin admin;
    private Long removed;

    public MembershipNemesis(ProcessCluster cluster, ClusterAdmin admin) {
        this.cluster = cluster;
        this.admin = admin;
    }

    @Override
    public String name() {
        return "membership";
    }

    @Override
    public synchronized String start(Random random) throws Exception {
        if (!admin.available()) {
            return null;
        }
        List<Long> ids = cluster.ids();
        long victim = ids.get(random.nextInt(ids.size()));
        admin.removeMember(victim);
        removed = victim;
        return "removed member " + victim;
    }

    @Override
    public synchronized void stop() throws Exception {
        if (removed != null) {
            admin.addMember(removed, "127.0.0.1:" + cluster.node(removed).peerPort);
            removed = null;
        }
    }
}
