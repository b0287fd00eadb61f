package io.kvorum.client;

import io.kvorum.proto.v1.Event;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One watch's bookkeeping: where to resume from and delivery to its listener. The
 * {@link WatchManager}'s lock guards the mutable fields; the listener runs on the watch's own
 * {@link SerialExecutor}.
 */
final class WatchImpl implements Watch {
    final long id;
    private final WatchManager manager;
    private final WatchSpec spec;
    private final WatchListener listener;
    private final SerialExecutor executor;

    /** Highest revision delivered or confirmed by progress: events at or below it are not delivered again. */
    private volatile long lastRevision;
    /** For a watch "from now": the revision the server said it started after, until an event says more. */
    private long createdAt;
    private volatile boolean ended;
    /** Cancelled by the application (or the client closed): nothing more reaches the listener. */
    private volatile boolean silenced;
    /** Completes when a node first confirmed the watch; fails if it refused it. */
    final CompletableFuture<Watch> established = new CompletableFuture<>();

    WatchImpl(long id, WatchManager manager, WatchSpec spec, WatchListener listener, SerialExecutor executor) {
        this.id = id;
        this.manager = manager;
        this.spec = spec;
        this.listener = listener;
        this.executor = executor;
    }

    @Override
    public WatchSpec spec() {
        return spec;
    }

    @Override
    public long lastRevision() {
        return lastRevision;
    }

    @Override
    public boolean isActive() {
        return !ended;
    }

    @Override
    public void cancel() {
        manager.cancel(this);
    }

    /**
     * The start revision for (re-)creating this watch on a stream: the one after the last it
     * delivered; before any delivery, the one it asked for (for "from now", the one after where
     * the first stream started it, so nothing between the two streams is missed).
     */
    long resumeRevision() {
        if (lastRevision > 0) {
            return lastRevision + 1;
        }
        if (spec.startRevision() > 0) {
            return spec.startRevision();
        }
        return createdAt > 0 ? createdAt + 1 : 0;
    }

    void created(long headerRevision) {
        if (spec.startRevision() == 0 && createdAt == 0 && lastRevision == 0) {
            createdAt = headerRevision;
        }
        established.complete(this);
    }

    /** Delivers the events of one response that are newer than what was delivered before. */
    void deliver(List<Event> events) {
        long floor = lastRevision;
        long newest = floor;
        for (Event e : events) {
            if (e.getRevision() <= floor) {
                continue; // already delivered before a reconnection
            }
            WatchEvent event = ProtoConvert.event(e);
            newest = Math.max(newest, e.getRevision());
            executor.execute(() -> {
                if (!silenced) {
                    listener.onEvent(event);
                }
            });
        }
        lastRevision = newest;
    }

    void progress(long revision) {
        if (revision > lastRevision) {
            lastRevision = revision;
        }
        executor.execute(() -> {
            if (!silenced) {
                listener.onProgress(revision);
            }
        });
    }

    /**
     * The watch ended by the server's word: the listener hears why, or, when it was never
     * established, whoever waits for it to be.
     */
    void fail(KvorumException error) {
        ended = true;
        if (established.completeExceptionally(error)) {
            return;
        }
        executor.execute(() -> {
            if (!silenced) {
                listener.onError(error);
            }
        });
    }

    /** The watch ended by cancel or client close: silently. */
    void end() {
        silenced = true;
        ended = true;
        established.completeExceptionally(new ClientClosedException("watch " + spec.path() + " was cancelled"));
    }
}
