package io.kvorum.server.api;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.kvorum.proto.v1.WatchGrpc;
import io.kvorum.proto.v1.WatchRequest;
import io.kvorum.proto.v1.WatchResponse;
import io.kvorum.server.housekeeping.PeriodicTask;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The Watch service: each call is a {@link WatchStream}. A timer nudges every stream a few
 * times per progress interval so quiet watches get their progress notifications.
 */
final class WatchService extends WatchGrpc.WatchImplBase implements AutoCloseable {
    private final WatchHub hub;
    private final RequestValidator validator;
    private final Headers headers;
    private final ApiOptions options;
    private final ClientMetrics metrics;
    private final Executor pool;
    private final Set<WatchStream> streams = ConcurrentHashMap.newKeySet();
    private ScheduledFuture<?> ticker;

    WatchService(WatchHub hub, RequestValidator validator, Headers headers, ApiOptions options, ClientMetrics metrics,
                 Executor pool) {
        this.hub = hub;
        this.validator = validator;
        this.headers = headers;
        this.options = options;
        this.metrics = metrics;
        this.pool = pool;
    }

    void start(ScheduledExecutorService timer) {
        long every = Math.max(20, options.watchProgressAfter().toMillis() / 4);
        ticker = timer.scheduleWithFixedDelay(PeriodicTask.guard(() -> streams.forEach(WatchStream::tick)), every,
                every, TimeUnit.MILLISECONDS);
    }

    @Override
    public StreamObserver<WatchRequest> watch(StreamObserver<WatchResponse> responses) {
        WatchStream[] self = new WatchStream[1];
        self[0] = new WatchStream((ServerCallStreamObserver<WatchResponse>) responses, hub, validator, headers,
                options, metrics, pool, () -> streams.remove(self[0]));
        streams.add(self[0]);
        if (self[0].isClosed()) {
            streams.remove(self[0]); // cancelled before it was added: its onClose found nothing to remove
        }
        return self[0];
    }

    /** Watches open over all streams (weakly consistent). */
    int openWatches() {
        int n = 0;
        for (WatchStream s : streams) {
            n += s.watchCount();
        }
        return n;
    }

    @Override
    public void close() {
        if (ticker != null) {
            ticker.cancel(false);
        }
    }
}
