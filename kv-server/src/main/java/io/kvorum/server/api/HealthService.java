package io.kvorum.server.api;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.kvorum.proto.health.v1.HealthCheckRequest;
import io.kvorum.proto.health.v1.HealthCheckResponse;
import io.kvorum.proto.health.v1.HealthCheckResponse.ServingStatus;
import io.kvorum.proto.health.v1.HealthGrpc;
import io.kvorum.server.housekeeping.PeriodicTask;
import io.kvorum.server.node.NodeStatus;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The standard gRPC health service ({@code grpc.health.v1.Health}) on the client port. A node
 * is SERVING while it knows a leader (it can then answer or redirect every request) and
 * NOT_SERVING while it knows none (an election, or cut off from the quorum): exactly when a
 * load balancer should send clients elsewhere. The same answer holds for the server as a
 * whole ({@code ""}) and for each Kvorum service; any other name is NOT_FOUND.
 *
 * <p>Watchers are told the status at once and then every change, noticed by a timer that
 * reads the node's published status (never the raft loop).
 */
final class HealthService extends HealthGrpc.HealthImplBase implements AutoCloseable {
    static final long POLL_MILLIS = 100;

    private final Supplier<NodeStatus> status;
    private final Set<String> services;
    private final Map<ServerCallStreamObserver<HealthCheckResponse>, ServingStatus> watchers =
            new ConcurrentHashMap<>();
    private ScheduledFuture<?> poller;

    /** @param services the names answered besides "" (e.g. {@code kvorum.v1.KV}) */
    HealthService(Supplier<NodeStatus> status, Set<String> services) {
        this.status = status;
        this.services = Set.copyOf(services);
    }

    void start(ScheduledExecutorService timer) {
        poller = timer.scheduleWithFixedDelay(PeriodicTask.guard(this::notifyWatchers), POLL_MILLIS, POLL_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    ServingStatus current() {
        NodeStatus s = status.get();
        return s != null && s.leaderId() != 0 ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    }

    @Override
    public void check(HealthCheckRequest request, StreamObserver<HealthCheckResponse> responses) {
        if (!known(request.getService())) {
            responses.onError(Status.NOT_FOUND.withDescription("unknown service '" + request.getService() + "'")
                    .asRuntimeException());
            return;
        }
        responses.onNext(response(current()));
        responses.onCompleted();
    }

    @Override
    public void watch(HealthCheckRequest request, StreamObserver<HealthCheckResponse> responses) {
        ServerCallStreamObserver<HealthCheckResponse> out = (ServerCallStreamObserver<HealthCheckResponse>) responses;
        if (!known(request.getService())) {
            out.onNext(response(ServingStatus.SERVICE_UNKNOWN)); // the protocol's answer on Watch
            return; // the stream stays open: the service might appear (it never does here)
        }
        out.setOnCancelHandler(() -> watchers.remove(out));
        synchronized (out) {
            ServingStatus now = current();
            watchers.put(out, now);
            out.onNext(response(now));
        }
    }

    private void notifyWatchers() {
        ServingStatus now = current();
        watchers.forEach((out, last) -> {
            if (last == now) {
                return;
            }
            synchronized (out) {
                if (out.isCancelled()) {
                    watchers.remove(out);
                    return;
                }
                watchers.put(out, now);
                out.onNext(response(now));
            }
        });
    }

    private boolean known(String service) {
        return service.isEmpty() || services.contains(service);
    }

    private static HealthCheckResponse response(ServingStatus s) {
        return HealthCheckResponse.newBuilder().setStatus(s).build();
    }

    /** Stops watching for changes; open Watch streams end with the server. */
    @Override
    public void close() {
        if (poller != null) {
            poller.cancel(false);
        }
        watchers.clear();
    }
}
