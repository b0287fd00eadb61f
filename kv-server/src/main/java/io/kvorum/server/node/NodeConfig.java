package io.kvorum.server.node;

import io.kvorum.server.transport.TransportConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of one node.
 *
 * @param initialCluster  founding members' peer addresses ({@code id -> host:port}); a
 *                        joining node lists the members it may contact, itself included.
 *                        These addresses win over those learned from the log (AddMember),
 *                        so each node reaches a peer exactly where its own config says
 * @param join            this node joins an existing cluster: it bootstraps no log and waits
 *                        for the leader to add it and send it the log or a snapshot
 * @param tickMillis      length of one core tick
 * @param heartbeatTicks  ticks between heartbeats
 * @param electionTicks   base election timeout in ticks (randomised up to twice that)
 * @param snapshotEntries applied entries between two snapshots
 * @param catchUpEntries  entries kept in the log behind a snapshot, so a slightly slow
 *                        follower catches up from the log rather than by a snapshot transfer
 * @param transport       the peer transport's limits and TLS
 */
public record NodeConfig(long nodeId, String clusterId, Path dataDir, InetSocketAddress peerListen,
                         Map<Long, String> initialCluster, boolean join, long tickMillis,
                         int heartbeatTicks, int electionTicks, long snapshotEntries,
                         long catchUpEntries, TransportConfig transport) {

    public NodeConfig {
        if (nodeId <= 0) {
            throw new IllegalArgumentException("node id must be positive, got " + nodeId);
        }
        if (clusterId == null || clusterId.isBlank()) {
            throw new IllegalArgumentException("cluster id must not be empty");
        }
        if (!initialCluster.containsKey(nodeId)) {
            throw new IllegalArgumentException("initial cluster " + initialCluster + " does not list this node (id "
                    + nodeId + ")");
        }
        if (tickMillis <= 0 || heartbeatTicks <= 0 || electionTicks <= heartbeatTicks) {
            throw new IllegalArgumentException("need tick > 0 and 0 < heartbeat ticks < election ticks");
        }
        if (snapshotEntries <= 0 || catchUpEntries < 0) {
            throw new IllegalArgumentException("snapshot interval must be positive");
        }
        initialCluster = Map.copyOf(initialCluster);
        Objects.requireNonNull(transport, "transport");
    }

    /** This configuration with {@code t} for the peer transport (e.g. to turn on mutual TLS). */
    public NodeConfig withTransport(TransportConfig t) {
        return new NodeConfig(nodeId, clusterId, dataDir, peerListen, initialCluster, join, tickMillis,
                heartbeatTicks, electionTicks, snapshotEntries, catchUpEntries, t);
    }

    /** Heartbeat and election timeouts in milliseconds, turned into ticks of {@code tick} ms. */
    public static NodeConfig of(long nodeId, String clusterId, Path dataDir, InetSocketAddress peerListen,
                                Map<Long, String> initialCluster, boolean join, long heartbeatMillis,
                                long electionMillis, long snapshotEntries) {
        long tick = Math.max(1, heartbeatMillis / 2);
        int hb = (int) Math.max(1, heartbeatMillis / tick);
        int el = (int) Math.max(hb + 1, electionMillis / tick);
        return new NodeConfig(nodeId, clusterId, dataDir, peerListen, initialCluster, join, tick, hb, el,
                snapshotEntries, Math.min(5000, snapshotEntries), TransportConfig.defaults());
    }
}
