package io.kvorum.server.metrics;

import io.kvorum.server.transport.Lane;
import io.kvorum.server.transport.TransportStats;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToLongFunction;

/**
 * The peer transport's own counters, read at scrape time, and the heartbeat round trips it
 * times. Drops that happen before a message reaches a lane (unknown peer, transport closed,
 * snapshots refused) are reported with {@code lane="none"}.
 */
final class TransportGauges {
    private static final double NANOS = 1e9;

    private TransportGauges() {
    }

    static void register(PrometheusRegistry registry, TransportStats stats, boolean timeHeartbeats) {
        perLane(registry, "kvorum_transport_messages_sent_total", "Raft messages written to peer streams, by lane.",
                stats, TransportStats.LaneStats::messagesSent);
        perLane(registry, "kvorum_transport_sent_bytes_total",
                "Serialized frame bytes written to peer streams, by lane.", stats, TransportStats.LaneStats::bytesSent);
        CounterWithCallback.builder().name("kvorum_transport_messages_dropped_total")
                .help("Raft messages dropped before reaching a peer (raft retransmits), by lane.").labelNames("lane")
                .callback(cb -> {
                    long onLanes = 0;
                    for (Lane l : Lane.values()) {
                        long d = stats.lane(l).messagesDropped();
                        onLanes += d;
                        cb.call(d, name(l));
                    }
                    cb.call(Math.max(0, stats.messagesDropped() - onLanes), "none");
                }).register(registry);
        counter(registry, "kvorum_transport_messages_received_total", "Raft messages received from peers.",
                TransportStats::messagesReceived, stats);
        counter(registry, "kvorum_transport_messages_rejected_total",
                "Received raft messages discarded (undecodable, misaddressed).", TransportStats::messagesRejected,
                stats);
        counter(registry, "kvorum_transport_stream_failures_total", "Peer streams that failed to open or broke.",
                TransportStats::streamFailures, stats);
        counter(registry, "kvorum_raft_snapshots_sent_total", "Snapshot transfers to peers that completed.",
                TransportStats::snapshotsSent, stats);
        counter(registry, "kvorum_raft_snapshot_send_failures_total", "Snapshot transfers to peers given up.",
                TransportStats::snapshotsFailed, stats);
        counter(registry, "kvorum_raft_snapshot_sent_bytes_total", "Snapshot file bytes sent to peers.",
                TransportStats::snapshotBytesSent, stats);
        counter(registry, "kvorum_raft_snapshots_received_total", "Snapshots received from the leader and verified.",
                TransportStats::snapshotsReceived, stats);
        counter(registry, "kvorum_raft_snapshot_received_bytes_total", "Snapshot file bytes received.",
                TransportStats::snapshotBytesReceived, stats);
        if (timeHeartbeats) {
            Histogram rtt = Histogram.builder().name("kvorum_raft_peer_heartbeat_rtt_seconds")
                    .help("On the leader: from queueing a heartbeat to a peer to its response, by peer.")
                    .unit(Unit.SECONDS).labelNames("peer").classicUpperBounds(Buckets.LATENCY).register(registry);
            Map<Long, DistributionDataPoint> byPeer = new ConcurrentHashMap<>();
            stats.onHeartbeatRtt((peer, nanos) -> byPeer.computeIfAbsent(peer, p -> rtt.labelValues(Long.toString(p)))
                    .observe(nanos / NANOS));
        }
    }

    private static void perLane(PrometheusRegistry registry, String name, String help, TransportStats stats,
                                ToLongFunction<TransportStats.LaneStats> value) {
        CounterWithCallback.builder().name(name).help(help).labelNames("lane")
                .callback(cb -> {
                    for (Lane l : Lane.values()) {
                        cb.call(value.applyAsLong(stats.lane(l)), name(l));
                    }
                }).register(registry);
    }

    private static String name(Lane l) {
        return l.name().toLowerCase(Locale.ROOT);
    }

    private static void counter(PrometheusRegistry registry, String name, String help,
                                ToLongFunction<TransportStats> value, TransportStats stats) {
        CounterWithCallback.builder().name(name).help(help)
                .callback(cb -> cb.call(value.applyAsLong(stats))).register(registry);
    }
}
