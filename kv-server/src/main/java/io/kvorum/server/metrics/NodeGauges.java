package io.kvorum.server.metrics;

import io.kvorum.server.node.NodeStatus;
import io.kvorum.server.node.RaftNode;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Raft figures read at scrape time from the node's last published {@link NodeStatus}: the
 * raft loop does nothing for them, and a stuck loop shows as figures that stop moving.
 */
final class NodeGauges {
    static final List<String> ROLES = List.of("leader", "follower", "candidate", "learner");

    private NodeGauges() {
    }

    static void register(PrometheusRegistry registry, RaftNode node, RaftMetrics events) {
        gauge(registry, node, "kvorum_raft_node_id", "This node's id.", NodeStatus::id);
        gauge(registry, node, "kvorum_raft_term", "Current Raft term.", NodeStatus::term);
        gauge(registry, node, "kvorum_raft_commit_index", "Highest log index known committed.",
                NodeStatus::commitIndex);
        gauge(registry, node, "kvorum_raft_applied_index", "Highest log index applied to the state machine.",
                NodeStatus::appliedIndex);
        gauge(registry, node, "kvorum_raft_last_index", "Index of the last log entry.", NodeStatus::lastIndex);
        gauge(registry, node, "kvorum_raft_snapshot_index", "Index of the latest local snapshot.",
                NodeStatus::snapshotIndex);
        gauge(registry, node, "kvorum_raft_apply_lag_entries",
                "Entries committed but not yet applied here (commit index - applied index).",
                s -> s.commitIndex() - s.appliedIndex());
        gauge(registry, node, "kvorum_raft_is_leader", "1 if this node is the leader.",
                s -> "leader".equals(s.role()) ? 1 : 0);
        gauge(registry, node, "kvorum_raft_has_leader", "1 if this node knows a leader.",
                s -> s.leaderId() != 0 ? 1 : 0);
        gauge(registry, node, "kvorum_raft_leader_id", "Id of the leader this node knows; 0 for none.",
                NodeStatus::leaderId);
        gauge(registry, node, "kvorum_cluster_members", "Members in the applied membership.",
                s -> s.members().size());
        gauge(registry, node, "kvorum_cluster_voters", "Voting members in the applied membership.",
                s -> s.voters().size());
        gauge(registry, node, "kvorum_cluster_quorum", "Voters needed for a majority.",
                s -> s.voters().size() / 2 + 1);
        GaugeWithCallback.builder().name("kvorum_cluster_voters_active")
                .help("On the leader: voters (itself included) heard from within the last election timeout. "
                        + "Absent on other nodes.")
                .callback(cb -> {
                    NodeStatus s = node.status();
                    if (!s.active().isEmpty()) {
                        cb.call(s.voters().stream().filter(id -> s.active().getOrDefault(id, false)).count());
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("kvorum_raft_role")
                .help("1 for this node's current role, 0 for the others.").labelNames("role")
                .callback(cb -> {
                    String role = node.status().role();
                    for (String r : ROLES) {
                        cb.call(r.equals(role) ? 1 : 0, r);
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("kvorum_raft_peer_replication_lag_entries")
                .help("On the leader: entries each other member's log is behind the leader's last index.")
                .labelNames("peer")
                .callback(cb -> {
                    NodeStatus s = node.status();
                    for (Map.Entry<Long, Long> m : s.matchIndex().entrySet()) {
                        if (m.getKey() != s.id()) {
                            cb.call(Math.max(0, s.lastIndex() - m.getValue()), Long.toString(m.getKey()));
                        }
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("kvorum_raft_peer_active")
                .help("On the leader: 1 if it heard from the member within the last election timeout.")
                .labelNames("peer")
                .callback(cb -> {
                    NodeStatus s = node.status();
                    for (Map.Entry<Long, Boolean> a : s.active().entrySet()) {
                        if (a.getKey() != s.id()) {
                            cb.call(a.getValue() ? 1 : 0, Long.toString(a.getKey()));
                        }
                    }
                }).register(registry);
        CounterWithCallback.builder().name("kvorum_raft_applied_entries_total")
                .help("Log entries applied here since start (all kinds, from every proposer).")
                .callback(cb -> cb.call(node.appliedEntries())).register(registry);
        CounterWithCallback.builder().name("kvorum_storage_fsyncs_total")
                .help("Synced raft log writes (one per batch of entries).")
                .callback(cb -> cb.call(node.fsyncCount())).register(registry);
        if (events != null) {
            GaugeWithCallback.builder().name("kvorum_raft_proposals_pending")
                    .help("Proposals received and not yet committed, refused or given up.")
                    .callback(cb -> cb.call(events.pendingProposals())).register(registry);
        }
    }

    private static void gauge(PrometheusRegistry registry, RaftNode node, String name, String help,
                              ToDoubleFunction<NodeStatus> value) {
        GaugeWithCallback.builder().name(name).help(help)
                .callback(cb -> cb.call(value.applyAsDouble(node.status()))).register(registry);
    }
}
