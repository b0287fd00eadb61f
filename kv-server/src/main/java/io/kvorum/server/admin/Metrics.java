package io.kvorum.server.admin;

import io.kvorum.server.node.NodeStatus;

/**
 * The node's gauges and counters in the Prometheus text exposition format. Hand-written
 * because a handful of values does not justify a metrics library yet.
 */
final class Metrics {
    private Metrics() {
    }

    static String render(NodeStatus s, long fsyncs) {
        StringBuilder b = new StringBuilder(512);
        gauge(b, "kvorum_raft_term", "Current Raft term.", s.term());
        gauge(b, "kvorum_raft_commit_index", "Highest log index known committed.", s.commitIndex());
        gauge(b, "kvorum_raft_applied_index", "Highest log index applied to the state machine.", s.appliedIndex());
        gauge(b, "kvorum_raft_last_index", "Index of the last log entry.", s.lastIndex());
        gauge(b, "kvorum_raft_snapshot_index", "Index of the latest local snapshot.", s.snapshotIndex());
        gauge(b, "kvorum_raft_is_leader", "1 if this node is the leader.", "leader".equals(s.role()) ? 1 : 0);
        gauge(b, "kvorum_raft_has_leader", "1 if this node knows a leader.", s.leaderId() != 0 ? 1 : 0);
        gauge(b, "kvorum_cluster_members", "Members in the applied membership.", s.members().size());
        b.append("# HELP kvorum_storage_fsyncs_total Synced raft log writes (one per batch of entries).\n")
                .append("# TYPE kvorum_storage_fsyncs_total counter\n")
                .append("kvorum_storage_fsyncs_total ").append(fsyncs).append('\n');
        return b.toString();
    }

    private static void gauge(StringBuilder b, String name, String help, long value) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(" gauge\n")
                .append(name).append(' ').append(value).append('\n');
    }
}
