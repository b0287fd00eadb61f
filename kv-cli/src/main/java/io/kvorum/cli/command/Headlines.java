package io.kvorum.cli.command;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The figures a person checks first about one node, from two scrapes of its metrics a short
 * window apart: rates are the counters' growth over the window, the fsync p99 comes from the
 * histogram buckets filled during the window (or since start when the window saw no fsync).
 *
 * @param fsyncP99Seconds NaN when the node never synced
 * @param followerLag     on the leader, the largest replication lag of a follower; -1 elsewhere
 */
record Headlines(long id, String role, long leaderId, long applyLag, long followerLag, double fsyncP99Seconds,
                 double requestsPerSecond, double errorsPerSecond) {
    /** Codes that mean the server failed the call, not that the caller asked for something impossible. */
    static final Set<String> SERVER_ERRORS = Set.of("UNAVAILABLE", "INTERNAL", "UNKNOWN", "DEADLINE_EXCEEDED",
            "RESOURCE_EXHAUSTED", "DATA_LOSS", "ABORTED");
    private static final String[] ROLES = {"leader", "follower", "candidate", "learner"};

    static Headlines of(MetricsScrape before, MetricsScrape after) {
        double seconds = Math.max(1e-3, (after.atNanos() - before.atNanos()) / 1e9);
        String role = "unknown";
        for (String r : ROLES) {
            if (after.sum("kvorum_raft_role", Map.of("role", r)) == 1) {
                role = r;
            }
        }
        long followerLag = -1;
        for (MetricsScrape.Sample s : after.all("kvorum_raft_peer_replication_lag_entries")) {
            followerLag = Math.max(followerLag, (long) s.value());
        }
        double requests = after.sum("kvorum_api_requests_total", Map.of())
                - before.sum("kvorum_api_requests_total", Map.of());
        double errors = 0;
        for (String code : SERVER_ERRORS) {
            errors += after.sum("kvorum_api_requests_total", Map.of("code", code))
                    - before.sum("kvorum_api_requests_total", Map.of("code", code));
        }
        return new Headlines((long) after.sum("kvorum_raft_node_id", Map.of()), role,
                (long) after.sum("kvorum_raft_leader_id", Map.of()),
                (long) after.sum("kvorum_raft_apply_lag_entries", Map.of()), followerLag,
                fsyncP99(before, after), requests / seconds, errors / seconds);
    }

    /** p99 of the fsync histogram's growth over the window; of its whole content if it did not grow. */
    static double fsyncP99(MetricsScrape before, MetricsScrape after) {
        String bucket = "kvorum_storage_fsync_duration_seconds_bucket";
        TreeMap<Double, Double> grown = new TreeMap<>();
        TreeMap<Double, Double> total = new TreeMap<>();
        for (MetricsScrape.Sample s : after.all(bucket)) {
            double le = Double.parseDouble(s.labels().get("le").replace("+Inf", "Infinity"));
            double was = before.sum(bucket, Map.of("le", s.labels().get("le")));
            grown.put(le, s.value() - was);
            total.put(le, s.value());
        }
        double p = quantile(0.99, grown);
        return Double.isNaN(p) ? quantile(0.99, total) : p;
    }

    /**
     * The q-quantile of cumulative buckets (upper bound to count), interpolated linearly inside
     * the bucket as Prometheus' histogram_quantile does; NaN for an empty histogram; the highest
     * finite bound when the quantile falls in the +Inf bucket.
     */
    static double quantile(double q, TreeMap<Double, Double> cumulative) {
        if (cumulative.isEmpty() || cumulative.lastEntry().getValue() <= 0) {
            return Double.NaN;
        }
        double rank = q * cumulative.lastEntry().getValue();
        double lowerBound = 0;
        double lowerCount = 0;
        List<Map.Entry<Double, Double>> entries = new ArrayList<>(cumulative.entrySet());
        for (Map.Entry<Double, Double> e : entries) {
            if (e.getValue() >= rank) {
                if (e.getKey().isInfinite()) {
                    return lowerBound;
                }
                double inBucket = e.getValue() - lowerCount;
                return inBucket <= 0 ? e.getKey()
                        : lowerBound + (e.getKey() - lowerBound) * (rank - lowerCount) / inBucket;
            }
            lowerBound = e.getKey();
            lowerCount = e.getValue();
        }
        return lowerBound;
    }
}
