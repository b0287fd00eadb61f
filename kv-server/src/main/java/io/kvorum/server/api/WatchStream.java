package io.kvorum.server.api;

import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.kvorum.proto.internal.v1.RevisionEvents;
import io.kvorum.proto.v1.ErrorReason;
import io.kvorum.proto.v1.WatchCreate;
import io.kvorum.proto.v1.WatchRequest;
import io.kvorum.proto.v1.WatchResponse;
import io.kvorum.server.state.CoordinationState;
import io.kvorum.server.state.StateException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Watch call: many watches over one bidi stream. Everything runs on the stream's
 * {@link SerialExecutor}: requests, the revisions the {@link WatchHub} hands over (they wait
 * in {@link #inbox} until the executor files them under each watch), and sending.
 *
 * <p>A watch from revision S subscribes first (it is in {@link #watches} before it reads any
 * history, so every later revision reaches its buffer), then replays history from S in
 * batches; a batch shorter than asked for means history held nothing newer when read, so
 * everything newer is in the buffer, and the watch goes live. See {@link ActiveWatch} for why
 * that gives each event exactly once, in order.
 *
 * <p>Sending respects gRPC flow control: events go out only while the call is ready, and the
 * onReady handler resumes. A client that does not read fills its watches' buffers until they
 * are cancelled with WATCHER_TOO_SLOW; nothing else grows.
 */
final class WatchStream implements StreamObserver<WatchRequest>, WatchHub.Subscriber {
    private static final Logger LOG = LoggerFactory.getLogger(WatchStream.class);
    /** Revisions read from history at a time. */
    static final int REPLAY_BATCH = 256;

    private final ServerCallStreamObserver<WatchResponse> out;
    private final WatchHub hub;
    private final CoordinationState state;
    private final RequestValidator validator;
    private final Headers headers;
    private final ApiOptions options;
    private final ClientMetrics metrics;
    private final Runnable onClose;
    private final SerialExecutor exec;
    private final Queue<Offered> inbox = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean pumpScheduled = new AtomicBoolean();
    private final Map<Long, ActiveWatch> watches = new HashMap<>();

    /** A revision the hub handed over; {@code missedThrough}: the newest revision it never did, or 0. */
    private record Offered(RevisionEvents events, long missedThrough) {
    }
    /** Written on the executor; read by the service to drop a stream that closed early. */
    private volatile boolean closed;

    WatchStream(ServerCallStreamObserver<WatchResponse> out, WatchHub hub, RequestValidator validator,
                Headers headers, ApiOptions options, ClientMetrics metrics, Executor pool, Runnable onClose) {
        this.out = out;
        this.hub = hub;
        this.state = hub.state();
        this.validator = validator;
        this.headers = headers;
        this.options = options;
        this.metrics = metrics;
        this.onClose = onClose;
        this.exec = new SerialExecutor(pool);
        out.setOnReadyHandler(this::schedulePump);
        out.setOnCancelHandler(() -> exec.execute(this::shutdown));
        hub.subscribe(this);
    }

    // ------------------------------------------------------------------ from other threads

    /** From the thread that applies: O(1), the work happens on the stream's executor. */
    @Override
    public void offer(RevisionEvents events, long missedThrough) {
        inbox.add(new Offered(events, missedThrough));
        schedulePump();
    }

    /** Watches open on this stream, for metrics: read from another thread, so possibly a moment stale. */
    int watchCount() {
        return watches.size();
    }

    /** Ends the stream with {@code status} (the node cannot serve watches now); from any thread. */
    void end(StatusRuntimeException status) {
        exec.execute(() -> fail(status));
    }

    /** From the progress timer. */
    void tick() {
        schedulePump();
    }

    @Override
    public void onNext(WatchRequest r) {
        exec.execute(() -> handle(r));
    }

    @Override
    public void onError(Throwable t) {
        exec.execute(this::shutdown);
    }

    @Override
    public void onCompleted() {
        exec.execute(() -> {
            if (!closed) {
                shutdown();
                try {
                    out.onCompleted();
                } catch (RuntimeException e) {
                    // already cancelled
                }
            }
        });
    }

    boolean isClosed() {
        return closed;
    }

    private void schedulePump() {
        if (pumpScheduled.compareAndSet(false, true)) {
            exec.execute(this::pump);
        }
    }

    // ------------------------------------------------------------------ on the stream's executor

    private void handle(WatchRequest r) {
        if (closed) {
            return;
        }
        switch (r.getRequestCase()) {
            case CREATE -> create(r.getCreate());
            case CANCEL -> {
                ActiveWatch w = watches.get(r.getCancel().getWatchId());
                if (w != null) {
                    drop(w);
                    send(canceled(w.id, ErrorReason.ERROR_REASON_UNSPECIFIED, "canceled by the client"));
                }
            }
            case PROGRESS -> watches.values().forEach(w -> w.progressRequested = true);
            case REQUEST_NOT_SET -> fail(Errors.of(ErrorReason.INVALID_DATA,
                    "request is not valid: a WatchRequest needs one of create, cancel, progress"));
        }
        pump();
    }

    private void create(WatchCreate c) {
        if (watches.containsKey(c.getWatchId())) {
            fail(Errors.of(ErrorReason.INVALID_DATA, "watch id " + c.getWatchId()
                    + " is already in use on this stream: choose ids unique per stream"));
            return;
        }
        try {
            validator.watch(c);
        } catch (StatusRuntimeException e) {
            send(canceled(c.getWatchId(), reasonOf(e), e.getStatus().getDescription()));
            return;
        }
        long start = c.getStartRevision();
        long compacted = state.compactedRevision();
        if (start != 0 && start < compacted) {
            send(compactedCancel(c.getWatchId(), start, compacted));
            return;
        }
        // Registered before the start revision and any history are read (see WatchHub).
        hub.watch(this, c.getPath(), c.getRecursive());
        ActiveWatch w = new ActiveWatch(c.getWatchId(), c.getPath(), c.getRecursive(),
                start == 0 ? state.revision() + 1 : start, options.watcherMaxEvents(), options.watcherMaxBytes());
        watches.put(w.id, w);
        send(WatchResponse.newBuilder().setHeader(headers.of(state.revision())).setWatchId(w.id).setCreated(true)
                .build());
    }

    private void pump() {
        pumpScheduled.set(false);
        if (closed) {
            return;
        }
        // Read first: every revision up to it is in the inbox or already filed.
        long notified = hub.notifiedRevision();
        Offered o;
        while ((o = inbox.poll()) != null) {
            RevisionEvents re = o.events();
            for (ActiveWatch w : watches.values()) {
                if (w.live && w.next <= o.missedThrough()) {
                    w.live = false; // fill the skipped revisions from history first
                    LOG.info("watch {} resumes from history at revision {}: live events jumped to {}", w.id,
                            w.next, re.getRevision());
                }
                w.offerLive(re);
            }
        }
        for (ActiveWatch w : List.copyOf(watches.values())) {
            if (w.overflowed) {
                tooSlow(w);
            }
        }
        for (ActiveWatch w : List.copyOf(watches.values())) {
            while (!closed && out.isReady() && watches.containsKey(w.id) && fill(w)) {
                WatchResponse.Builder b = w.outgoing.pollFirst();
                long last = b.getEvents(b.getEventsCount() - 1).getRevision();
                send(b.setHeader(headers.of(last)).build());
                w.lastSentNanos = System.nanoTime();
            }
        }
        progress(notified);
    }

    /** Makes sure {@code w} has a response to send if it has anything at all; false when it has none. */
    private boolean fill(ActiveWatch w) {
        while (w.outgoing.isEmpty() && !w.live) {
            long compacted = state.compactedRevision();
            if (w.next < compacted) {
                drop(w);
                send(compactedCancel(w.id, w.next, compacted));
                return false;
            }
            List<RevisionEvents> history;
            try {
                history = state.history(w.next, REPLAY_BATCH);
            } catch (StateException e) {
                if (e.reason() != ErrorReason.COMPACTED) {
                    throw e;
                }
                // Trimmed between the check and the read (the new oldest revision may not be
                // published yet: it is past w.next in any case).
                drop(w);
                send(compactedCancel(w.id, w.next, Math.max(state.compactedRevision(), w.next + 1)));
                return false;
            }
            w.queueReplayed(history);
            if (history.size() < REPLAY_BATCH) {
                w.live = true;
            }
        }
        if (w.outgoing.isEmpty() && w.hasBuffered()) {
            w.queueBuffered();
        }
        return !w.outgoing.isEmpty();
    }

    /** Progress for each caught-up, quiet watch that asked for it or was silent long enough. */
    private void progress(long notified) {
        long now = System.nanoTime();
        long silence = options.watchProgressAfter().toNanos();
        for (ActiveWatch w : List.copyOf(watches.values())) {
            if (closed || !w.live || w.hasBuffered() || !w.outgoing.isEmpty() || !out.isReady()) {
                continue;
            }
            if (w.progressRequested || now - w.lastSentNanos >= silence) {
                // Every event of this watch up to here is sent: up to `notified` via the hub,
                // and up to next - 1 via history.
                long revision = Math.max(notified, w.next - 1);
                send(WatchResponse.newBuilder().setHeader(headers.of(revision)).setWatchId(w.id).setProgress(true)
                        .build());
                w.progressRequested = false;
                w.lastSentNanos = now;
            }
        }
    }

    private void tooSlow(ActiveWatch w) {
        metrics.watchCancelledSlow();
        drop(w);
        send(canceled(w.id, ErrorReason.WATCHER_TOO_SLOW, "watch " + w.id + " on " + PathRules.quote(w.path)
                + " fell more than " + options.watcherMaxEvents() + " events or "
                + options.watcherMaxBytes() + " bytes behind: read faster, then watch again from revision "
                + w.resumeRevision()));
    }

    private WatchResponse compactedCancel(long id, long asked, long compacted) {
        return canceled(id, ErrorReason.COMPACTED, "revision " + asked + " is compacted: the oldest revision kept is "
                + compacted + "; read the current state and watch from its revision").toBuilder()
                .setCompactRevision(compacted).build();
    }

    private WatchResponse canceled(long id, ErrorReason reason, String why) {
        return WatchResponse.newBuilder().setHeader(headers.of(state.revision())).setWatchId(id).setCanceled(true)
                .setCancelReason(why).setCancelError(reason).build();
    }

    private static ErrorReason reasonOf(StatusRuntimeException e) {
        com.google.rpc.Status st = io.grpc.protobuf.StatusProto.fromThrowable(e);
        if (st != null) {
            for (com.google.protobuf.Any any : st.getDetailsList()) {
                if (any.is(com.google.rpc.ErrorInfo.class)) {
                    try {
                        return ErrorReason.valueOf(any.unpack(com.google.rpc.ErrorInfo.class).getReason());
                    } catch (Exception ignored) {
                        // fall through
                    }
                }
            }
        }
        return ErrorReason.INVALID_DATA;
    }

    private void send(WatchResponse r) {
        if (closed) {
            return;
        }
        try {
            out.onNext(r);
            metrics.watchEventsSent(r.getEventsCount());
        } catch (RuntimeException e) {
            shutdown(); // cancelled under us
        }
    }

    private void fail(StatusRuntimeException e) {
        if (closed) {
            return;
        }
        shutdown();
        try {
            out.onError(e);
        } catch (RuntimeException ignored) {
            // already cancelled
        }
    }

    /** Forgets {@code w}, here and in the hub's index. */
    private void drop(ActiveWatch w) {
        if (watches.remove(w.id) != null) {
            hub.unwatch(this, w.path, w.recursive);
        }
    }

    private void shutdown() {
        if (closed) {
            return;
        }
        closed = true;
        List.copyOf(watches.values()).forEach(this::drop);
        hub.unsubscribe(this);
        inbox.clear();
        onClose.run();
    }
}
