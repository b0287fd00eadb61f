package io.kvorum.server.metrics;

import io.kvorum.proto.health.v1.HealthGrpc;
import io.kvorum.proto.v1.ClusterGrpc;
import io.kvorum.proto.v1.KVGrpc;
import io.kvorum.proto.v1.SessionGrpc;
import io.kvorum.proto.v1.WatchGrpc;
import io.kvorum.server.api.ClientMetrics;
import io.kvorum.server.api.ClientServer;
import io.kvorum.server.node.NodeMetrics;
import io.kvorum.server.node.RaftNode;
import io.kvorum.server.state.CoordinationState;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Every metric of one node, in one registry of the Prometheus Java client: the sinks the node
 * and the client port report events to ({@link #node()}, {@link #clients()}), gauges read from
 * the node's published status, transport counters and store figures at scrape time
 * ({@link #bind}), and the library's JVM and process metrics. Names follow Prometheus
 * conventions: {@code kvorum_} prefix, base units, {@code _total} counters, {@code _seconds}
 * histograms. One registry per node, so nodes sharing a JVM (tests) never mix their figures.
 *
 * <p>With {@code events} off (for measuring the cost of metrics) the sinks are no-ops and only
 * the scrape-time gauges and JVM metrics remain: those cost nothing between scrapes.
 */
public final class KvorumMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final RaftMetrics raft;
    private final ClientApiMetrics clients;

    /** @param events whether the node and the client port report events (counters, histograms) */
    public KvorumMetrics(boolean events) {
        JvmMetrics.builder().register(registry);
        raft = events ? new RaftMetrics(registry) : null;
        clients = events ? new ClientApiMetrics(registry, List.of(KVGrpc.getServiceDescriptor(),
                WatchGrpc.getServiceDescriptor(), SessionGrpc.getServiceDescriptor(),
                ClusterGrpc.getServiceDescriptor(), HealthGrpc.getServiceDescriptor())) : null;
    }

    /** Where the node and its store report events; pass to {@link RaftNode#start}. */
    public NodeMetrics node() {
        return raft != null ? raft : NodeMetrics.NONE;
    }

    /** Where the client port reports; pass to {@link ClientServer}. */
    public ClientMetrics clients() {
        return clients != null ? clients : ClientMetrics.NONE;
    }

    /** Registers the scrape-time gauges of a started node and its client port. */
    public void bind(RaftNode node, ClientServer server, CoordinationState state) {
        NodeGauges.register(registry, node, raft);
        TransportGauges.register(registry, node.transportStats(), raft != null);
        StoreGauges.register(registry, node.store());
        ClientGauges.register(registry, server, state);
    }

    /** The current figures in the Prometheus text exposition format (version 0.0.4). */
    public byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public String contentType() {
        return writer.getContentType();
    }
}
