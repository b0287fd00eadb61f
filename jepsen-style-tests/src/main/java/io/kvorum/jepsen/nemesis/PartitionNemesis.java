package io.kvorum.jepsen.nemesis;

import io.kvorum.jepsen.harness.ProcessCluster;
import io.kvorum.jepsen.net.Grudge;
import io.kvorum.jepsen.net.Partitions;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.BiFunction;

/** Network partitions through the proxies: one shape per instance. */
public final class PartitionNemesis implements Nemesis {
    private final String name;
    private final ProcessCluster cluster;
    private final BiFunction<ProcessCluster, Random, Grudge> shape;
    private final boolean blackhole;

    private PartitionNemesis(String name, ProcessCluster cluster, BiFunction<ProcessCluster, Random, Grudge> shape,
                             boolean blackhole) {
        this.name = name;
        this.cluster = cluster;
        this.shape = shape;
        this.blackhole = blackhole;
    }

    public static PartitionNemesis halves(ProcessCluster c) {
        return new PartitionNemesis("partition-halves", c, (cl, r) -> Partitions.randomHalves(cl.ids(), r), false);
    }

    public static PartitionNemesis isolateLeader(ProcessCluster c) {
        return new PartitionNemesis("partition-leader", c, (cl, r) -> {
            Optional<Long> leader = cl.leader();
            return leader.map(l -> Partitions.isolate(l, cl.ids())).orElse(null);
        }, false);
    }

    public static PartitionNemesis majorityRing(ProcessCluster c) {
        return new PartitionNemesis("partition-ring", c, (cl, r) -> Partitions.majorityRing(cl.ids(), r), false);
    }

    public static PartitionNemesis bridge(ProcessCluster c) {
        return new PartitionNemesis("partition-bridge", c, (cl, r) -> Partitions.bridge(cl.ids(), r), false);
    }

    /** The leader can still hear its followers but can no longer reach them. */
    public static PartitionNemesis leaderOneWay(ProcessCluster c) {
        return new PartitionNemesis("partition-one-way", c, (cl, r) -> cl.leader()
                .map(l -> Partitions.mute(java.util.Set.of(l), cl.ids())).orElse(null), false);
    }

    /** Random halves, but dropping bytes instead of holding them. */
    public static PartitionNemesis blackholeHalves(ProcessCluster c) {
        return new PartitionNemesis("blackhole-halves", c, (cl, r) -> Partitions.randomHalves(cl.ids(), r), true);
    }

    /** The leader's whole datacenter cut off from the others: the failover a datacenter outage forces. */
    public static PartitionNemesis leaderDatacenter(ProcessCluster c) {
        return new PartitionNemesis("partition-leader-datacenter", c, (cl, r) -> cl.leader()
                .map(l -> Partitions.datacenter(cl.topology().datacenterOf(l), cl.topology().byDatacenter()))
                .orElse(null), false);
    }

    /** A random datacenter (possibly the observers' site) cut off from the others. */
    public static PartitionNemesis randomDatacenter(ProcessCluster c) {
        return new PartitionNemesis("partition-datacenter", c, (cl, r) -> {
            List<String> dcs = new java.util.ArrayList<>(cl.topology().byDatacenter().keySet());
            return Partitions.datacenter(dcs.get(r.nextInt(dcs.size())), cl.topology().byDatacenter());
        }, false);
    }

    /** Every datacenter alone: with no datacenter holding a majority of voters, nobody may commit. */
    public static PartitionNemesis datacentersApart(ProcessCluster c) {
        return new PartitionNemesis("partition-datacenters-apart", c,
                (cl, r) -> Partitions.datacentersApart(cl.topology().byDatacenter()), false);
    }

    /** The shapes of a datacenter outage; the cluster must be placed in datacenters. */
    public static List<Nemesis> datacenters(ProcessCluster c) {
        if (c.topology() == null) {
            throw new IllegalArgumentException("datacenter partitions need a cluster placed in datacenters");
        }
        return List.of(leaderDatacenter(c), randomDatacenter(c), datacentersApart(c));
    }

    public static List<Nemesis> all(ProcessCluster c) {
        return List.of(halves(c), isolateLeader(c), majorityRing(c), bridge(c), leaderOneWay(c), blackholeHalves(c));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String start(Random random) {
        Grudge g = shape.apply(cluster, random);
        if (g == null) {
            return null;
        }
        if (blackhole) {
            cluster.network().blackhole(g);
        } else {
            cluster.network().apply(g);
        }
        return g.toString();
    }

    @Override
    public void stop() {
        cluster.network().apply(Grudge.none());
    }
}
