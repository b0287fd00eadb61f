package io.kvorum.jepsen.nemesis;

import io.kvorum.jepsen.harness.ProcessCluster;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Nemeses by the names {@code kvorum-jepsen run --nemesis} takes: one kind alone, several
 * separated by commas, or {@code mixed} for all the kinds a run should survive. Each kind is
 * one entry of the schedule (a kind with several shapes picks one per fault). Each partition
 * shape also has a name of its own ({@link #PARTITION_SHAPES}), so a run can hold that one shape
 * on every fault and measure it on purpose. Heal order is list order: the network first, then
 * processes, then membership (which needs both).
 */
public final class Nemeses {
    /** The shapes of {@code partition}, each a kind of its own too: named as their faults are labelled. */
    public static final List<String> PARTITION_SHAPES = List.of("partition-halves", "partition-leader",
            "partition-ring", "partition-bridge", "partition-one-way", "blackhole-halves");
    public static final List<String> KINDS = List.of("partition", "partition-halves", "partition-leader",
            "partition-ring", "partition-bridge", "partition-one-way", "blackhole-halves", "datacenter-partition",
            "latency", "wan-latency", "kill", "pause", "pause-leader", "leader-transfer", "membership",
            "kill-majority", "kill-all");
    /** The kinds that need a cluster placed in datacenters ({@code --datacenters}). */
    public static final List<String> DATACENTER_KINDS = List.of("datacenter-partition", "wan-latency");
    /** What {@code mixed} means. */
    public static final List<String> MIXED = List.of("partition", "kill", "pause", "leader-transfer", "membership");

    private Nemeses() {
    }

    /** Parses a spec such as {@code mixed}, {@code none} or {@code partition,kill}. */
    public static List<String> parse(String spec) {
        Set<String> kinds = new LinkedHashSet<>();
        for (String part : spec.split(",")) {
            String k = part.trim();
            if (k.equals("mixed")) {
                kinds.addAll(MIXED);
            } else if (k.equals("none")) {
                continue;
            } else if (KINDS.contains(k)) {
                kinds.add(k);
            } else {
                throw new IllegalArgumentException("unknown nemesis \"" + k + "\" (expected none, mixed, or any of "
                        + String.join(", ", KINDS) + ", comma-separated)");
            }
        }
        List<String> ordered = new ArrayList<>();
        for (String k : KINDS) {
            if (kinds.contains(k)) {
                ordered.add(k);
            }
        }
        return ordered;
    }

    public static List<Nemesis> of(String spec, ProcessCluster c, ClusterAdmin admin) {
        List<Nemesis> out = new ArrayList<>();
        for (String kind : parse(spec)) {
            out.add(switch (kind) {
                case "partition" -> new OneOf("partition", PartitionNemesis.all(c));
                case "partition-halves" -> PartitionNemesis.halves(c);
                case "partition-leader" -> PartitionNemesis.isolateLeader(c);
                case "partition-ring" -> PartitionNemesis.majorityRing(c);
                case "partition-bridge" -> PartitionNemesis.bridge(c);
                case "partition-one-way" -> PartitionNemesis.leaderOneWay(c);
                case "blackhole-halves" -> PartitionNemesis.blackholeHalves(c);
                case "datacenter-partition" -> new OneOf("datacenter-partition", PartitionNemesis.datacenters(c));
                case "latency" -> new LatencyNemesis(c, 20, 150);
                case "wan-latency" -> new WanLatencyNemesis(c, 5, 100);
                case "kill" -> new OneOf("kill", processes(c, ProcessNemesis.Action.KILL));
                case "pause" -> new OneOf("pause", processes(c, ProcessNemesis.Action.PAUSE));
                // Every fault pauses the leader: the worst of the pause shapes, measured on its own.
                case "pause-leader" -> new ProcessNemesis(c, ProcessNemesis.Action.PAUSE, ProcessNemesis.Target.LEADER);
                case "leader-transfer" -> new LeaderTransferNemesis(c, admin);
                case "membership" -> new MembershipNemesis(c, admin);
                case "kill-majority" -> new ProcessNemesis(c, ProcessNemesis.Action.KILL,
                        ProcessNemesis.Target.MAJORITY);
                case "kill-all" -> new ProcessNemesis(c, ProcessNemesis.Action.KILL, ProcessNemesis.Target.ALL);
                default -> throw new IllegalStateException(kind);
            });
        }
        return out;
    }

    private static List<Nemesis> processes(ProcessCluster c, ProcessNemesis.Action action) {
        return List.of(new ProcessNemesis(c, action, ProcessNemesis.Target.ONE),
                new ProcessNemesis(c, action, ProcessNemesis.Target.LEADER),
                new ProcessNemesis(c, action, ProcessNemesis.Target.MINORITY));
    }
}
