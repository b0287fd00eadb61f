package io.kvorum.client;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.kvorum.proto.v1.ErrorReason;
import io.kvorum.proto.v1.WatchCancel;
import io.kvorum.proto.v1.WatchCreate;
import io.kvorum.proto.v1.WatchGrpc;
import io.kvorum.proto.v1.WatchProgress;
import io.kvorum.proto.v1.WatchRequest;
import io.kvorum.proto.v1.WatchResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * All of a client's watches, multiplexed over one Watch stream to one node.
 *
 * <p>When the stream breaks (node down, connection lost, a node that stopped answering or fell
 * behind), a new stream opens on another node (at once the first time, then after jittered,
 * growing delays) and every watch is re-created there from the revision after the last one it
 * delivered. The server sends each revision's events whole and in order, so resuming from
 * last + 1 gives every event exactly once; {@link WatchImpl#deliver} also drops anything at
 * or below that mark, should a node send it again.
 *
 * <p>Per-watch endings the server reports: COMPACTED ends the watch with a
 * {@link CompactedException} to its listener; WATCHER_TOO_SLOW (our listener fell behind) is
 * answered by re-creating the watch from its last revision, as the server asks.
 *
 * <p>A node cut off from the leader ends its watch streams with NO_LEADER (after a short grace);
 * the stream then moves on at once, and that node is left out until a probe finds it in touch.
 *
 * <p>Every {@code watchCheckInterval} the stream is asked for progress. A stream that sent
 * nothing at all since the last check, or whose newest revision stood still below what the
 * client had already seen elsewhere at the last check, is on a dead or partitioned node
 * (etcd-io/etcd#8660): it is abandoned for another node.
 */
final class WatchManager {
    private static final Logger LOG = LoggerFactory.getLogger(WatchManager.class);

    private final ClientCore core;
    private final AtomicLong ids = new AtomicLong();

    // Guarded by this.
    private final Map<Long, WatchImpl> watches = new LinkedHashMap<>();
    private Connection connection;
    private int failures;
    private EndpointState lastFailed;
    private boolean reconnectPending;
    private boolean closed;
    private ScheduledFuture<?> checker;

    /** One Watch stream to one node. */
    private final class Connection {
        final EndpointState target;
        final ClientCall<WatchRequest, WatchResponse> call;
        StreamObserver<WatchRequest> requests;
        long newestRevision;
        long messages;
        /** Set at a health check: what this stream must have reached by the next one. */
        long mustReach = -1;
        long messagesAtCheck = -1;
        long revisionAtCheck = -1;

        Connection(EndpointState target) {
            this.target = target;
            this.call = target.channel().newCall(WatchGrpc.getWatchMethod(), CallOptions.DEFAULT);
        }
    }

    WatchManager(ClientCore core) {
        this.core = core;
    }

    /** Starts a watch; its {@code established} future completes when a node confirmed it. */
    WatchImpl watch(WatchSpec spec, WatchListener listener) {
        WatchImpl w = new WatchImpl(ids.incrementAndGet(), this, spec, listener, new SerialExecutor(core.events));
        synchronized (this) {
            if (closed || core.isClosed()) {
                throw core.closedError("watch " + spec.path());
            }
            watches.put(w.id, w);
            startChecker();
            if (connection != null) {
                create(connection, w);
            } else if (!reconnectPending) {
                connect();
            }
        }
        return w;
    }

    synchronized void cancel(WatchImpl w) {
        w.end();
        if (watches.remove(w.id) != null && connection != null) {
            send(connection, WatchRequest.newBuilder().setCancel(WatchCancel.newBuilder().setWatchId(w.id)).build());
        }
    }

    /** Asks the current stream for a progress notification on every watch. */
    synchronized void requestProgress() {
        if (connection != null) {
            send(connection, WatchRequest.newBuilder().setProgress(WatchProgress.getDefaultInstance()).build());
        }
    }

    synchronized void close() {
        closed = true;
        if (checker != null) {
            checker.cancel(false);
        }
        for (WatchImpl w : watches.values()) {
            w.end();
        }
        watches.clear();
        if (connection != null) {
            connection.call.cancel("the Kvorum client is closing", null);
            connection = null;
        }
    }

    // ------------------------------------------------------------------ the stream

    private void connect() {
        EndpointState target = core.endpoints.pick(lastFailed);
        Connection c;
        try {
            c = new Connection(target);
        } catch (ClientClosedException e) {
            return;
        }
        connection = c;
        c.requests = ClientCalls.asyncBidiStreamingCall(c.call,
                new ForwardingObserver<WatchResponse>(r -> onResponse(c, r), t -> onClosed(c, t)));
        for (WatchImpl w : List.copyOf(watches.values())) {
            create(c, w);
        }
    }

    private void create(Connection c, WatchImpl w) {
        send(c, WatchRequest.newBuilder().setCreate(WatchCreate.newBuilder().setWatchId(w.id)
                .setPath(w.spec().path()).setRecursive(w.spec().recursive())
                .setStartRevision(w.resumeRevision())).build());
    }

    private void send(Connection c, WatchRequest r) {
        try {
            c.requests.onNext(r);
        } catch (RuntimeException e) {
            broken(c, "sending on the watch stream failed: " + e, true);
        }
    }

    private synchronized void onResponse(Connection c, WatchResponse r) {
        if (c != connection || closed) {
            return;
        }
        c.messages++;
        failures = 0;
        c.target.succeeded();
        long revision = r.getHeader().getRevision();
        c.newestRevision = Math.max(c.newestRevision, revision);
        WatchImpl w = watches.get(r.getWatchId());
        if (w == null) {
            return; // cancelled by us; the server's confirmation or last events
        }
        if (r.getCreated()) {
            w.created(revision);
        }
        if (r.getEventsCount() > 0) {
            w.deliver(r.getEventsList());
            core.revisions.observe(r.getEvents(r.getEventsCount() - 1).getRevision());
        }
        if (r.getProgress()) {
            w.progress(revision);
        }
        if (r.getCanceled()) {
            canceled(c, w, r);
        }
    }

    private void canceled(Connection c, WatchImpl w, WatchResponse r) {
        ErrorReason reason = r.getCancelError();
        if (reason == ErrorReason.WATCHER_TOO_SLOW) {
            LOG.info("watch on {} fell behind; re-watching from revision {}", w.spec().path(), w.resumeRevision());
            create(c, w);
            return;
        }
        watches.remove(w.id);
        String what = "watch " + w.spec().path();
        if (reason == ErrorReason.COMPACTED) {
            w.fail(new CompactedException(what + " failed: " + r.getCancelReason(), null, w.spec().path(),
                    r.getCompactRevision()));
            return;
        }
        ErrorDetails d = new ErrorDetails(codeOf(reason), r.getCancelReason(), reason.name(),
                Map.of("path", w.spec().path()), false, null);
        w.fail(ErrorMapper.toException(d, what));
    }

    private static io.grpc.Status.Code codeOf(ErrorReason reason) {
        return switch (reason) {
            case NO_NODE -> io.grpc.Status.Code.NOT_FOUND;
            case INVALID_PATH, INVALID_DATA, TOO_LARGE -> io.grpc.Status.Code.INVALID_ARGUMENT;
            case NO_LEADER -> io.grpc.Status.Code.UNAVAILABLE;
            default -> io.grpc.Status.Code.FAILED_PRECONDITION;
        };
    }

    private synchronized void onClosed(Connection c, Throwable t) {
        if (c != connection || closed) {
            return;
        }
        ErrorDetails d = t == null ? null : ErrorDetails.of(t);
        // NO_LEADER: the node is cut off from the leader and would deliver nothing new; leave it
        // out until a probe finds it in touch again, as a unary call's NO_LEADER does.
        broken(c, d == null ? "the node ended the watch stream" : d.summary(),
                d == null || !d.fromServer() || d.isNoLeader());
    }

    private void broken(Connection c, String why, boolean endpointAtFault) {
        if (c != connection) {
            return;
        }
        LOG.info("watch stream to {} lost ({}); resuming {} watch(es) elsewhere", c.target, why, watches.size());
        connection = null;
        c.call.cancel(why, null);
        if (endpointAtFault) {
            c.target.failed();
        }
        lastFailed = c.target;
        if (watches.isEmpty()) {
            return; // reconnect when a watch needs it
        }
        failures++;
        long delay = failures == 1 ? 0 : core.reconnectBackoff.delayNanos(failures - 1);
        reconnectPending = true;
        try {
            core.scheduler.schedule(this::reconnect, delay, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            reconnectPending = false;
        }
    }

    private synchronized void reconnect() {
        reconnectPending = false;
        if (!closed && connection == null && !watches.isEmpty()) {
            connect();
        }
    }

    // ------------------------------------------------------------------ health checks

    private void startChecker() {
        if (checker != null) {
            return;
        }
        long every = core.config.watchCheckInterval().toNanos();
        try {
            checker = core.scheduler.scheduleAtFixedRate(this::check, every, every, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // the client is closing
        }
    }

    private synchronized void check() {
        Connection c = connection;
        if (closed || c == null || watches.isEmpty()) {
            return;
        }
        if (c.mustReach >= 0) {
            if (c.messages == c.messagesAtCheck) {
                broken(c, "no answer to a progress request within " + core.config.watchCheckInterval(), true);
                return;
            }
            // Behind and not moving: a stream replaying old history is behind but advancing.
            if (c.newestRevision < c.mustReach && c.newestRevision == c.revisionAtCheck) {
                broken(c, "the node is at revision " + c.newestRevision + " but the cluster reached "
                        + c.mustReach + " (partitioned or lagging)", true);
                return;
            }
        }
        c.mustReach = core.revisions.highest();
        c.messagesAtCheck = c.messages;
        c.revisionAtCheck = c.newestRevision;
        send(c, WatchRequest.newBuilder().setProgress(WatchProgress.getDefaultInstance()).build());
    }
}
