package io.kvorum.server.api;

import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.kvorum.proto.v1.WatchGrpc;
import io.kvorum.proto.v1.WatchRequest;
import io.kvorum.proto.v1.WatchResponse;
import io.kvorum.server.housekeeping.PeriodicTask;
import io.kvorum.server.node.LeaderUnreachableException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The Watch service: each call is a {@link WatchStream}. A timer nudges every stream a few
 * times per progress interval so quiet watches get their progress notifications.
 *
 * <p>A node cut off from the leader (a minority partition, a one-way cut) still has a working
 * stream to each of its watchers, but no new revision reaches it, so its watchers would wait
 * for events that happen elsewhere for as long as the partition lasts (etcd-io/etcd#8660: a
 * lock waiter never hears that its predecessor left). Once the node has been cut off for
 * {@link #CUT_OFF_GRACE_NANOS}, every watch stream it holds (and each one opened while it stays
 * cut off) ends with UNAVAILABLE / NO_LEADER naming the leader it knew, and the client resumes
 * its watches on another node from the revision after the last one it got. The grace lets an
 * ordinary election (a leader that died: the followers know no leader for a few hundred ms)
 * pass without moving every watcher.
 */
final class WatchService extends WatchGrpc.WatchImplBase implements AutoCloseable {
    /** How long a node must stay cut off from the leader before its watch streams are ended. */
    static final long CUT_OFF_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    /** How often the cut-off check runs. */
    private static final long CUT_OFF_CHECK_MILLIS = 100;

    private final WatchHub hub;
    private final RequestValidator validator;
    private final Headers headers;
    private final ApiOptions options;
    private final ClientMetrics metrics;
    private final Executor pool;
    private final Set<WatchStream> streams = ConcurrentHashMap.newKeySet();
    private final Supplier<LeaderUnreachableException> cutOff;
    private final Function<LeaderUnreachableException, StatusRuntimeException> toStatus;
    private ScheduledFuture<?> ticker;
    private ScheduledFuture<?> cutOffChecker;
    /** When the node was first seen cut off in the current spell (System.nanoTime), or -1. Timer thread only. */
    private long cutOffSinceNanos = -1;

    /**
     * @param cutOff   why the node cannot reach a leader now, or null while it can
     * @param toStatus the status a stream ends with when the node is cut off
     */
    WatchService(WatchHub hub, RequestValidator validator, Headers headers, ApiOptions options, ClientMetrics metrics,
                 Executor pool, Supplier<LeaderUnreachableException> cutOff,
                 Function<LeaderUnreachableException, StatusRuntimeException> toStatus) {
        this.cutOff = cutOff;
        this.toStatus = toStatus;
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
        cutOffChecker = timer.scheduleWithFixedDelay(PeriodicTask.guard(this::checkCutOff), CUT_OFF_CHECK_MILLIS,
                CUT_OFF_CHECK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Ends every stream once the node has been cut off from the leader for the grace period. */
    void checkCutOff() {
        LeaderUnreachableException why = cutOff.get();
        if (why == null) {
            cutOffSinceNanos = -1;
            return;
        }
        long now = System.nanoTime();
        if (cutOffSinceNanos < 0) {
            cutOffSinceNanos = now;
        }
        if (now - cutOffSinceNanos < CUT_OFF_GRACE_NANOS || streams.isEmpty()) {
            return;
        }
        StatusRuntimeException status = toStatus.apply(new LeaderUnreachableException("watching on this node: "
                + why.getMessage() + "; resume the watch on another node", why.leaderId(), false));
        streams.forEach(s -> s.end(status));
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
        if (cutOffChecker != null) {
            cutOffChecker.cancel(false);
        }
    }
}
