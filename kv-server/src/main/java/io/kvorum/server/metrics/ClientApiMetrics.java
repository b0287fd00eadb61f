package io.kvorum.server.metrics;

import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerStreamTracer;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.kvorum.server.api.ClientMetrics;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Client port metrics. Per call, one {@link ServerStreamTracer} sees the method, the wire
 * sizes and the final status; every label child it touches is resolved when this is built
 * (one per method) or once per status code, so a call costs one map lookup by the method name
 * gRPC already has, a few atomic adds, and one histogram observation. Method names outside
 * the services given are counted as {@code other}, so a caller cannot grow the label set.
 */
final class ClientApiMetrics implements ClientMetrics {
    static final String OTHER_METHOD = "other";
    private static final double NANOS = 1e9;
    private static final Status.Code[] CODES = Status.Code.values();

    private final Counter requests;
    private final Map<String, MethodMetrics> methods = new HashMap<>();
    private final MethodMetrics other;
    private final Counter watchEvents;
    private final Counter watchesCancelledSlow;
    private final Counter sessionsExpired;
    /** Admitted reads' and writes' time from the door to their answer. */
    private final DistributionDataPoint admittedReads;
    private final DistributionDataPoint admittedWrites;
    private final ServerStreamTracer.Factory tracer = new ServerStreamTracer.Factory() {
        @Override
        public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
            return new CallTracer(methods.getOrDefault(fullMethodName, other));
        }
    };

    ClientApiMetrics(PrometheusRegistry registry, List<ServiceDescriptor> services) {
        requests = Counter.builder().name("kvorum_api_requests_total")
                .help("Client calls finished, by method and gRPC status code.")
                .labelNames("method", "code").register(registry);
        Histogram latency = Histogram.builder().name("kvorum_api_request_duration_seconds")
                .help("Time from a unary client call's arrival to its status being sent, by method.")
                .unit(Unit.SECONDS).labelNames("method").classicUpperBounds(Buckets.LATENCY).register(registry);
        Gauge inFlight = Gauge.builder().name("kvorum_api_requests_in_flight")
                .help("Client calls (streams included) started and not yet finished, by method.")
                .labelNames("method").register(registry);
        Counter received = Counter.builder().name("kvorum_api_received_bytes_total")
                .help("Bytes of client request messages received (wire size), by method.")
                .unit(Unit.BYTES).labelNames("method").register(registry);
        Counter sent = Counter.builder().name("kvorum_api_sent_bytes_total")
                .help("Bytes of response messages sent to clients (wire size), by method.")
                .unit(Unit.BYTES).labelNames("method").register(registry);
        for (ServiceDescriptor sd : services) {
            for (MethodDescriptor<?, ?> md : sd.getMethods()) {
                String name = md.getFullMethodName();
                methods.put(name, new MethodMetrics(name, md.getType() == MethodDescriptor.MethodType.UNARY, latency,
                        inFlight, received, sent));
            }
        }
        other = new MethodMetrics(OTHER_METHOD, false, latency, inFlight, received, sent);
        watchEvents = Counter.builder().name("kvorum_watch_events_sent_total")
                .help("Watch events sent to clients.").register(registry);
        watchesCancelledSlow = Counter.builder().name("kvorum_watches_cancelled_slow_total")
                .help("Watches cancelled because their client read too slowly (WATCHER_TOO_SLOW).").register(registry);
        sessionsExpired = Counter.builder().name("kvorum_sessions_expired_total")
                .help("Sessions this node, as leader, decided to expire for want of keep-alives (one renewed "
                        + "meanwhile survives).").register(registry);
        Histogram admitted = Histogram.builder().name("kvorum_admission_admitted_duration_seconds")
                .help("Time from a read or write (unary call or Batch item) passing the admission door to its answer, "
                        + "by kind.")
                .unit(Unit.SECONDS).labelNames("kind").classicUpperBounds(Buckets.LATENCY).register(registry);
        admittedReads = admitted.labelValues("read");
        admittedWrites = admitted.labelValues("write");
    }

    @Override
    public ServerStreamTracer.Factory streamTracer() {
        return tracer;
    }

    @Override
    public void watchEventsSent(int events) {
        if (events > 0) {
            watchEvents.inc(events);
        }
    }

    @Override
    public void watchCancelledSlow() {
        watchesCancelledSlow.inc();
    }

    @Override
    public void sessionsExpired(int count) {
        sessionsExpired.inc(count);
    }

    @Override
    public void admittedAnswered(boolean read, long nanos) {
        (read ? admittedReads : admittedWrites).observe(nanos / NANOS);
    }

    /** The label children of one method, resolved once. */
    private final class MethodMetrics {
        final String name;
        final boolean unary;
        final DistributionDataPoint latency;
        final GaugeDataPoint inFlight;
        final CounterDataPoint received;
        final CounterDataPoint sent;
        /** By status code, resolved on first use (a method sees few codes; no need to export seventeen zeros). */
        final AtomicReferenceArray<CounterDataPoint> byCode = new AtomicReferenceArray<>(CODES.length);

        MethodMetrics(String name, boolean unary, Histogram latency, Gauge inFlight, Counter received,
                      Counter sent) {
            this.name = name;
            this.unary = unary;
            this.latency = latency.labelValues(name);
            this.inFlight = inFlight.labelValues(name);
            this.received = received.labelValues(name);
            this.sent = sent.labelValues(name);
        }

        CounterDataPoint code(Status.Code code) {
            CounterDataPoint c = byCode.get(code.ordinal());
            if (c == null) {
                // Racing threads get the same child from the library; the slot only saves the lookup.
                c = requests.labelValues(name, code.name());
                byCode.set(code.ordinal(), c);
            }
            return c;
        }
    }

    /** One call: started when gRPC creates it, finished at streamClosed (exactly once per stream). */
    private static final class CallTracer extends ServerStreamTracer {
        private final MethodMetrics m;
        private final long started = System.nanoTime();

        CallTracer(MethodMetrics m) {
            this.m = m;
            m.inFlight.inc();
        }

        @Override
        public void inboundWireSize(long bytes) {
            m.received.inc(bytes);
        }

        @Override
        public void outboundWireSize(long bytes) {
            m.sent.inc(bytes);
        }

        @Override
        public void streamClosed(Status status) {
            m.inFlight.dec();
            m.code(status.getCode()).inc();
            if (m.unary) {
                m.latency.observe((System.nanoTime() - started) / NANOS);
            }
        }
    }
}
