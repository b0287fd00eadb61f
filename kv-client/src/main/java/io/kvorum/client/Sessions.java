package io.kvorum.client;

import io.kvorum.proto.v1.OpenSessionRequest;
import io.kvorum.proto.v1.OpenSessionResponse;
import io.kvorum.proto.v1.SessionGrpc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A client's sessions: the default one (opened on first use, replaced by a new one after it
 * expires), any others the application opened, and the client-level listeners that follow
 * whichever session is the default.
 */
final class Sessions {
    private final ClientCore core;
    private final Set<Session> live = ConcurrentHashMap.newKeySet();
    private final List<Listener> clientListeners = new CopyOnWriteArrayList<>();
    private CompletableFuture<Session> defaultSession;

    private record Listener(SessionStateListener listener, SerialExecutor executor) {
    }

    Sessions(ClientCore core) {
        this.core = core;
    }

    /** Opens a session. Open is a write with (client id, sequence): a retried open opens one session. */
    CompletableFuture<Session> open(Duration ttl) {
        long started = System.nanoTime();
        return core.write("open session", RequestOptions.DEFAULT, SessionGrpc.getOpenMethod(),
                        h -> OpenSessionRequest.newBuilder().setHeader(h).setTtlMillis(ttl.toMillis()).build(),
                        OpenSessionResponse::getHeader)
                .thenApply(r -> {
                    // The cluster started the TTL no earlier than our first attempt: measuring
                    // from there, the client never believes in a session the cluster dropped.
                    Session s = new Session(core, r.getSessionId(), Duration.ofMillis(r.getTtlMillis()), started);
                    live.add(s);
                    s.start();
                    return s;
                });
    }

    /** The default session; a new one when there is none yet or the last one ended. */
    synchronized CompletableFuture<Session> defaultSession() {
        CompletableFuture<Session> d = defaultSession;
        boolean usable = d != null && !d.isCompletedExceptionally()
                && !(d.isDone() && d.join().state().isTerminal());
        if (!usable) {
            d = open(core.config.sessionTtl()).thenApply(s -> {
                for (Listener l : clientListeners) {
                    s.addListener(l.listener(), l.executor(), true);
                }
                return s;
            });
            defaultSession = d;
        }
        return d;
    }

    /** The default session if one is open, else null; never opens one. */
    synchronized Session currentDefault() {
        CompletableFuture<Session> d = defaultSession;
        return d != null && d.isDone() && !d.isCompletedExceptionally() ? d.join() : null;
    }

    void addClientListener(SessionStateListener listener) {
        Listener l = new Listener(listener, new SerialExecutor(core.events));
        Session current;
        synchronized (this) {
            clientListeners.add(l);
            current = currentDefault();
        }
        if (current != null) {
            current.addListener(l.listener(), l.executor(), true);
        }
    }

    void removeClientListener(SessionStateListener listener) {
        clientListeners.removeIf(l -> l.listener() == listener);
        for (Session s : live) {
            s.removeListener(listener);
        }
    }

    void ended(Session s) {
        live.remove(s);
    }

    CompletableFuture<Void> closeAll() {
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (Session s : List.copyOf(live)) {
            closing.add(s.closeAsync());
        }
        return CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new));
    }
}
