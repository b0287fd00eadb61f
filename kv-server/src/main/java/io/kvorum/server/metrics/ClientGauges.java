package io.kvorum.server.metrics;

import io.kvorum.server.api.Admission;
import io.kvorum.server.api.ClientServer;
import io.kvorum.server.state.CoordinationState;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Client-side figures read at scrape time: open watches and live sessions, and what the
 * admission door let in and turned away.
 */
final class ClientGauges {
    private ClientGauges() {
    }

    static void register(PrometheusRegistry registry, ClientServer server, CoordinationState state) {
        GaugeWithCallback.builder().name("kvorum_watches_open").help("Watches open on this node's client port.")
                .callback(cb -> cb.call(server.openWatches())).register(registry);
        GaugeWithCallback.builder().name("kvorum_sessions_open").help("Live sessions in the applied state.")
                .callback(cb -> cb.call(state.sessions().size())).register(registry);
        Admission door = server.admission();
        CounterWithCallback.builder().name("kvorum_admission_refused_total")
                .help("Reads and writes (unary calls and Batch items) refused RESOURCE_EXHAUSTED/OVERLOADED at the "
                        + "admission door, by kind.")
                .labelNames("kind").callback(cb -> {
                    cb.call(door.refusedReads(), "read");
                    cb.call(door.refusedWrites(), "write");
                }).register(registry);
        CounterWithCallback.builder().name("kvorum_admission_streams_cut_total")
                .help("Streams closed TOO_MANY_STREAMS for passing a per-connection stream or watch limit.")
                .callback(cb -> cb.call(door.cutStreams())).register(registry);
        GaugeWithCallback.builder().name("kvorum_admission_in_flight")
                .help("Reads and writes admitted and not yet answered, by kind (bounded by the in-flight limits).")
                .labelNames("kind").callback(cb -> {
                    cb.call(door.inFlightReads(), "read");
                    cb.call(door.inFlightWrites(), "write");
                }).register(registry);
    }
}
