package io.kvorum.jepsen.nemesis;

import io.kvorum.client.MembershipChangeException;
import io.kvorum.jepsen.harness.NodeStatus;
import io.kvorum.jepsen.harness.ProcessCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/** Moves leadership to a random other voter (TiKV lost reads after this: tikv/tikv#9239). Nothing to undo. */
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
        Optional<NodeStatus> status = leader.flatMap(l -> cluster.node(l).status());
        if (!admin.available() || status.isEmpty()) {
            return null;
        }
        List<Long> others = new ArrayList<>(status.get().voters());
        others.remove(leader.get());
        if (others.isEmpty()) {
            return null;
        }
        long to = others.get(random.nextInt(others.size()));
        try {
            admin.transferLeadership(to);
        } catch (MembershipChangeException refused) {
            return null; // e.g. the target stopped being a voter meanwhile
        }
        return "leadership " + leader.get() + " -> " + to;
    }

    @Override
    public void stop() {
    }
}
