package io.kvorum.server.http;

import io.kvorum.proto.v1.ErrorReason;
import io.kvorum.proto.v1.WatchCreate;
import io.kvorum.proto.v1.WatchRequest;
import io.kvorum.proto.v1.WatchResponse;
import io.kvorum.server.api.ApiError;
import io.kvorum.server.api.ClientCalls;
import io.kvorum.server.api.LocalWatch;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The wait of a blocking query: returns once something at a path changed after a revision, or
 * when the wait is over. It is a watch of the gRPC Watch service from {@code revision + 1}, so
 * a change between the client's last read and this request is seen at once (from the watch
 * history), and a later one as soon as it is applied here. A revision older than the history
 * kept returns at once: the client re-reads, which is always safe.
 *
 * <p>Each waiting request holds a server thread, so at most {@code maxWaiting} wait at once
 * (blocking queries and event streams together); more get 429 TOO_MANY_STREAMS.
 */
final class ChangeWaiter {
    private final ClientCalls calls;
    private final Semaphore slots;
    private final int maxWaiting;

    ChangeWaiter(ClientCalls calls, int maxWaiting) {
        this.calls = calls;
        this.maxWaiting = maxWaiting;
        this.slots = new Semaphore(maxWaiting);
    }

    /** Takes a waiting slot; 429 when all are taken. Release with {@link #release}. */
    void acquire() {
        if (!slots.tryAcquire()) {
            throw new HttpProblem(429, "RESOURCE_EXHAUSTED", ErrorReason.TOO_MANY_STREAMS, "this node already "
                    + "serves " + maxWaiting + " blocking queries and event streams: retry later or at another node",
                    Map.of("retry_after_ms", "1000"));
        }
    }

    void release() {
        slots.release();
    }

    /** Blocking queries and event streams being served now. */
    int waiting() {
        return maxWaiting - slots.availablePermits();
    }

    /**
     * Waits until {@code path} (and, if {@code recursive}, anything under it) changed after
     * {@code afterRevision}, or {@code wait} passed. A node's own changes and changes of its set
     * of children count.
     */
    void await(String path, boolean recursive, long afterRevision, Duration wait) {
        acquire();
        CompletableFuture<Void> changed = new CompletableFuture<>();
        LocalWatch watch = calls.watch(new LocalWatch.Sink() {
            @Override
            public boolean hasRoom() {
                return true;
            }

            @Override
            public void onResponse(WatchResponse r) {
                if (r.getEventsCount() > 0 || r.getCanceled()) {
                    changed.complete(null);
                }
            }

            @Override
            public void onError(ApiError error) {
                changed.complete(null);
            }
        });
        try {
            watch.send(WatchRequest.newBuilder().setCreate(WatchCreate.newBuilder().setWatchId(1).setPath(path)
                    .setRecursive(recursive).setStartRevision(afterRevision + 1)).build());
            changed.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // the wait is over: the caller reads and answers
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            watch.close();
            release();
        }
    }
}
