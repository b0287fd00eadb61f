package io.kvorum.client;

import io.kvorum.proto.v1.CloseSessionRequest;
import io.kvorum.proto.v1.CloseSessionResponse;
import io.kvorum.proto.v1.SessionGrpc;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session: opened once, kept alive in the background by a keep-alive stream (a request every
 * TTL/3, moving to another node when one stops answering), and the owner of ephemeral nodes,
 * which the cluster deletes when the session ends. Its {@link SessionState} tells listeners
 * whether it is connected, suspended, possibly lost, or gone.
 *
 * <p>Get the client's own session from {@link KvorumClient#session()}, or open more with
 * {@link KvorumClient#openSession(Duration)}.
 */
public final class Session implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Session.class);

    private final ClientCore core;
    private final long id;
    private final Duration ttl;
    private final KeepAliveLoop keepAlive;
    private final CopyOnWriteArrayList<Registered> listeners = new CopyOnWriteArrayList<>();
    private SessionState state = SessionState.CONNECTED;
    private CompletableFuture<Void> closing;

    private record Registered(SessionStateListener listener, SerialExecutor executor) {
    }

    Session(ClientCore core, long id, Duration ttl, long openedAtNanos) {
        this.core = core;
        this.id = id;
        this.ttl = ttl;
        this.keepAlive = new KeepAliveLoop(core, this, ttl, openedAtNanos);
    }

    void start() {
        keepAlive.start();
    }

    /** The session's id, as ephemeral nodes' {@link Stat#ephemeralOwner()} shows it. */
    public long id() {
        return id;
    }

    /** The TTL the cluster granted. */
    public Duration ttl() {
        return ttl;
    }

    public synchronized SessionState state() {
        return state;
    }

    /** Adds a listener for later state changes. */
    public void addListener(SessionStateListener listener) {
        addListener(listener, new SerialExecutor(core.events), false);
    }

    /** Adds a listener; with {@code announceCurrent} it is first told the current state. */
    synchronized void addListener(SessionStateListener listener, SerialExecutor executor, boolean announceCurrent) {
        listeners.add(new Registered(listener, executor));
        if (announceCurrent) {
            SessionState now = state;
            executor.execute(() -> listener.stateChanged(this, now));
        }
    }

    public void removeListener(SessionStateListener listener) {
        listeners.removeIf(r -> r.listener == listener);
    }

    /** Ends the session now: the cluster deletes its ephemeral nodes. Waits for the answer (the default deadline). */
    @Override
    public void close() {
        Blocking.await(closeAsync());
    }

    /**
     * Ends the session now; completes once the cluster confirmed, or, if it could not be reached,
     * once the client gave up (the session then expires after its TTL).
     */
    public CompletableFuture<Void> closeAsync() {
        synchronized (this) {
            if (closing != null) {
                return closing;
            }
            if (state.isTerminal()) {
                return CompletableFuture.completedFuture(null);
            }
            closing = new CompletableFuture<>();
        }
        keepAlive.stop();
        core.write("close session " + id, RequestOptions.DEFAULT, SessionGrpc.getCloseMethod(),
                        h -> CloseSessionRequest.newBuilder().setHeader(h).setSessionId(id).build(),
                        CloseSessionResponse::getHeader)
                .whenComplete((r, e) -> {
                    if (e != null) {
                        LOG.debug("closing session {} failed; it expires after its TTL", id, e);
                    }
                    transition(SessionState.CLOSED);
                    closing.complete(null);
                });
        return closing;
    }

    @Override
    public String toString() {
        return "Session{id=" + id + ", ttl=" + ttl + ", state=" + state() + "}";
    }

    // ------------------------------------------------------------------ from the keep-alive loop

    /** A keep-alive was answered: the session is alive. */
    void answered() {
        SessionState s = state();
        if (s == SessionState.SUSPENDED || s == SessionState.LOST) {
            transition(SessionState.RECONNECTED);
        }
    }

    void suspended() {
        SessionState s = state();
        if (s.isConnected()) {
            transition(SessionState.SUSPENDED);
        }
    }

    void lost() {
        transition(SessionState.LOST);
    }

    void expired() {
        keepAlive.stop();
        transition(SessionState.EXPIRED);
    }

    /** Something suggests the session may be gone: ask the cluster now rather than at the next tick. */
    void probe() {
        keepAlive.probe();
    }

    /** Moves to {@code to} and tells the listeners, in order. Terminal states are final. */
    synchronized void transition(SessionState to) {
        if (state.isTerminal() || state == to) {
            return;
        }
        LOG.info("session {}: {} -> {}", id, state, to);
        state = to;
        for (Registered r : listeners) {
            r.executor().execute(() -> r.listener().stateChanged(this, to));
        }
        if (to.isTerminal()) {
            core.sessions.ended(this);
        }
    }
}
