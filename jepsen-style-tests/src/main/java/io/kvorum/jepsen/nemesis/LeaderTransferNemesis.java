package io.kvorum.jepsen.nemesis;

import io.kvorum.jepsen.harness.ProcessCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/** Moves leadership to a random follower (TiKV lost reads after this: tikv/tikv#9239). Nothing to undo. */
public final class LeaderTransferNemesis implements Nemesis {
    private final ProcessCluster cluster;
    private final ClusterAdmin admin;

    public LeaderTransferNemesis(ProcessCluster cluster, ClusterAdmin admin) {
        this.cluster = cluster;
        this.admin = admin;
    }

    @Override
    public String name() {
        return "leader-transfer";
    }

    @Override
    public String start(Random random) throws Exception {
        Optional<Long> leader = cluster.leader();
        if (!admin.available() || leader.isEmpty()) {
            return null;
        }
        List<Long> others = new ArrayList<>(cluster.ids());
        others.remove(leader.get());
        long to = others.get(random.nextInt(others.size()));
        admin.transferLeadership(to);
        return "leadership " + leader.get() + " -> " + to;
    }

    @Override
    public void stop() {
    }
}
