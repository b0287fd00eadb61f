package io.kvorum.client;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.kvorum.proto.v1.KeepAliveRequest;
import io.kvorum.proto.v1.KeepAliveResponse;
import io.kvorum.proto.v1.SessionGrpc;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one session alive: a KeepAlive stream to one node, a request every TTL/3, and the
 * session's state from what comes back.
 *
 * <ul>
 *   <li>An answer: alive (RECONNECTED if it was SUSPENDED or LOST), or EXPIRED if the cluster
 *       says so.</li>
 *   <li>The stream breaks, or a request goes unanswered for TTL/3: SUSPENDED; the node goes
 *       into health backoff and a new stream opens on another node (at once the first time,
 *       then after jittered, growing delays).</li>
 *   <li>No answer to any request sent in the last TTL (less a safety margin of a tenth): LOST.
 *       The cluster measures the TTL from when it received a keep-alive, which is after we sent
 *       it, so it cannot expire the session before LOST is announced. The margin absorbs the
 *       client's own timer and thread delays and a small difference in clock rates; a timer set
 *       for the exact moment (not the periodic tick) announces it.</li>
 * </ul>
 */
final class KeepAliveLoop {
    private static final Logger LOG = LoggerFactory.getLogger(KeepAliveLoop.class);

    private final ClientCore core;
    private final Session session;
    private final long ttlNanos;
    private final long intervalNanos;
    /** LOST is announced this long after the newest answered request was sent. */
    private final long lostAfterNanos;
    private final KeepAliveRequest request;

    // Guarded by this.
    private Stream stream;
    /** When the newest answered request was sent (or the open began). */
    private long lastAnsweredSendNanos;
    private long lastSendNanos;
    private int failures;
    private EndpointState lastFailed;
    private boolean reconnectPending;
    private boolean stopped;
    private ScheduledFuture<?> ticker;
    private ScheduledFuture<?> lostTimer;

    /** One stream to one node; requests are answered in order. */
    private final class Stream {
        final EndpointState target;
        final ClientCall<KeepAliveRequest, KeepAliveResponse> call;
        final ArrayDeque<Long> pendingSendNanos = new ArrayDeque<>();
        StreamObserver<KeepAliveRequest> requests;

        Stream(EndpointState target) {
            this.target = target;
            this.call = target.channel().newCall(SessionGrpc.getKeepAliveMethod(), CallOptions.DEFAULT);
        }
    }

    KeepAliveLoop(ClientCore core, Session session, Duration ttl, long openedAtNanos) {
        this.core = core;
        this.session = session;
        this.ttlNanos = ttl.toNanos();
        this.intervalNanos = Math.max(1, ttlNanos / 3);
        this.lostAfterNanos = ttlNanos - ttlNanos / 10;
        this.request = KeepAliveRequest.newBuilder().setSessionId(session.id()).build();
        this.lastAnsweredSendNanos = openedAtNanos;
        this.lastSendNanos = openedAtNanos;
    }

    synchronized void start() {
        // Tick faster than we send so that SUSPENDED and LOST are noticed promptly.
        long tick = Math.max(TimeUnit.MILLISECONDS.toNanos(10), intervalNanos / 4);
        try {
            ticker = core.scheduler.scheduleAtFixedRate(this::tick, tick, tick, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closed) {
            stopped = true;
        }
        armLostTimer();
    }

    /** (Re)sets the timer that announces LOST if no later request is answered. */
    private void armLostTimer() {
        if (lostTimer != null) {
            lostTimer.cancel(false);
        }
        long delay = lastAnsweredSendNanos + lostAfterNanos - System.nanoTime();
        try {
            lostTimer = core.scheduler.schedule(this::checkLost, Math.max(0, delay), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closed) {
            stopped = true;
        }
    }

    private synchronized void checkLost() {
        if (!stopped && System.nanoTime() - lastAnsweredSendNanos >= lostAfterNanos) {
            session.lost();
        }
    }

    private synchronized void tick() {
        if (stopped) {
            return;
        }
        long now = System.nanoTime();
        if (stream == null) {
            if (!reconnectPending) {
                connect();
            }
        } else if (!stream.pendingSendNanos.isEmpty() && now - stream.pendingSendNanos.peekFirst() >= intervalNanos) {
            broken(stream, "no keep-alive answer from " + stream.target + " within "
                    + TimeUnit.NANOSECONDS.toMillis(intervalNanos) + " ms", true);
        } else if (now - lastSendNanos >= intervalNanos) {
            send(stream);
        }
        if (now - lastAnsweredSendNanos >= lostAfterNanos) {
            session.lost(); // the timer normally got here first
        }
    }

    /** Sends a keep-alive now (when the session may be gone, to learn it sooner). */
    synchronized void probe() {
        if (!stopped && stream != null) {
            send(stream);
        }
    }

    synchronized void stop() {
        stopped = true;
        if (ticker != null) {
            ticker.cancel(false);
        }
        if (lostTimer != null) {
            lostTimer.cancel(false);
        }
        if (stream != null) {
            stream.call.cancel("session keep-alive stopped", null);
            stream = null;
        }
    }

    private void connect() {
        EndpointState target = core.endpoints.pick(lastFailed);
        Stream s;
        try {
            s = new Stream(target);
        } catch (ClientClosedException closed) {
            stopped = true;
            return;
        }
        stream = s;
        s.requests = ClientCalls.asyncBidiStreamingCall(s.call,
                new ForwardingObserver<KeepAliveResponse>(r -> onAnswer(s, r), t -> onClosed(s, t)));
        send(s);
    }

    private void send(Stream s) {
        long now = System.nanoTime();
        s.pendingSendNanos.add(now);
        lastSendNanos = now;
        try {
            s.requests.onNext(request);
        } catch (RuntimeException e) {
            broken(s, "sending a keep-alive failed: " + e, true);
        }
    }

    private synchronized void onAnswer(Stream s, KeepAliveResponse r) {
        if (s != stream || stopped) {
            return;
        }
        Long sent = s.pendingSendNanos.pollFirst();
        core.revisions.observe(r.getHeader().getRevision());
        core.discovery.observeTerm(r.getHeader().getRaftTerm()); // news of an election, as from any answer
        if (r.getExpired()) {
            LOG.info("session {} expired (told by {})", session.id(), s.target);
            stopped = true;
            stream = null;
            s.call.cancel("session expired", null);
            session.expired();
            return;
        }
        if (sent != null && sent - lastAnsweredSendNanos > 0) {
            lastAnsweredSendNanos = sent;
            armLostTimer();
        }
        failures = 0;
        s.target.succeeded();
        session.answered();
    }

    private synchronized void onClosed(Stream s, Throwable t) {
        if (s != stream || stopped) {
            return;
        }
        ErrorDetails d = t == null ? null : ErrorDetails.of(t);
        String why = d == null ? "the node ended the keep-alive stream" : d.summary();
        // A node that answered with an error (no leader yet) is reachable: no health penalty.
        broken(s, why, d == null || !d.fromServer());
    }

    private void broken(Stream s, String why, boolean endpointAtFault) {
        LOG.debug("session {}: keep-alive stream to {} broke: {}", session.id(), s.target, why);
        stream = null;
        s.call.cancel(why, null);
        if (endpointAtFault) {
            s.target.failed();
        }
        lastFailed = s.target;
        session.suspended();
        failures++;
        long delay = failures == 1 ? 0 : core.reconnectBackoff.delayNanos(failures - 1);
        reconnectPending = true;
        try {
            core.scheduler.schedule(this::reconnect, delay, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closed) {
            stopped = true;
        }
    }

    private synchronized void reconnect() {
        reconnectPending = false;
        if (!stopped && stream == null) {
            connect();
        }
    }
}
