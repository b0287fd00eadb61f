package io.kvorum.server.metrics;

import io.kvorum.server.api.ClientServer;
import io.kvorum.server.state.CoordinationState;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** Client-side figures read at scrape time: open watches and live sessions. */
final class ClientGauges {
    private ClientGauges() {
    }

    static void register(PrometheusRegistry registry, ClientServer server, CoordinationState state) {
        GaugeWithCallback.builder().name("kvorum_watches_open").help("Watches open on this node's client port.")
                .callback(cb -> cb.call(server.openWatches())).register(registry);
        GaugeWithCallback.builder().name("kvorum_sessions_open").help("Live sessions in the applied state.")
                .callback(cb -> cb.call(state.sessions().size())).register(registry);
    }
}
