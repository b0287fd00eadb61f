package io.kvorum.client.recipes;

import io.kvorum.client.ClientClosedException;
import io.kvorum.client.CreateMode;
import io.kvorum.client.KvorumClient;
import io.kvorum.client.KvorumException;
import io.kvorum.client.NoNodeException;
import io.kvorum.client.NodeExistsException;
import io.kvorum.client.RequestOptions;
import io.kvorum.client.Session;
import io.kvorum.client.SessionState;
import io.kvorum.client.SessionStateListener;
import io.kvorum.client.Stat;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A registered service instance: an ephemeral node owned by the client's session. If that
 * session expires (the node is gone), the instance registers again with the client's next
 * session, for as long as this registration is open. Registered with a session of the caller's
 * own ({@link ServiceRegistry#register(ServiceInstance, Session)}) it lives exactly as long as
 * that session. {@link #close()} deregisters.
 *
 * <p>A TTL check of such an instance is held by the same session: it passes while the
 * registration lives, with the status and note {@link ServiceRegistry#report} gives it.
 */
public final class ServiceRegistration implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceRegistration.class);

    private final KvorumClient client;
    private final ServiceInstance instance;
    private final String path;
    /** The caller's own session, or null to follow the client's session across expiry. */
    private final Session ownSession;
    private final SessionStateListener sessionListener = this::sessionChanged;

    // Guarded by this.
    private long registeredSession;
    private boolean closed;
    private boolean reRegistering;

    ServiceRegistration(KvorumClient client, ServiceInstance instance, String path, Session ownSession) {
        this.client = client;
        this.instance = instance;
        this.path = path;
        this.ownSession = ownSession;
    }

    public ServiceInstance instance() {
        return instance;
    }

    /** The instance's node. */
    public String path() {
        return path;
    }

    /** Registers now (waiting for the cluster), then keeps the registration across session expiry. */
    void start() {
        client.ensurePath(path.substring(0, path.lastIndexOf('/')));
        try {
            register().join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof KvorumException ke ? ke
                    : new KvorumException("registering " + instance.id() + " at " + path + " failed", e.getCause());
        }
        if (ownSession == null) {
            client.addSessionStateListener(sessionListener);
        }
    }

    /** Creates the node with the current session; replaces a stale one with the same id. */
    private CompletableFuture<Void> register() {
        return register(0);
    }

    private CompletableFuture<Void> register(int replaced) {
        CompletableFuture<Session> session = ownSession != null ? CompletableFuture.completedFuture(ownSession)
                : client.async().session();
        return session.thenCompose(s -> client.async()
                .create(path, instance.toJson(s.id(), System.currentTimeMillis()), CreateMode.EPHEMERAL,
                        RequestOptions.session(s))
                .handle((r, e) -> e)
                .thenCompose(e -> {
                    Throwable c = e instanceof CompletionException ? e.getCause() : e;
                    if (c == null) {
                        return done(s);
                    }
                    if (c instanceof NodeExistsException && replaced < 3) {
                        return replaceStale(s, replaced);
                    }
                    return CompletableFuture.failedFuture(c);
                }));
    }

    /**
     * The id is taken: by this session (a retried create), or by an earlier run of the same
     * instance whose session has not expired yet. Same id means same address and port, so the
     * old node is stale: delete it (only the version seen) and create ours.
     */
    private CompletableFuture<Void> replaceStale(Session s, int replaced) {
        return client.async().exists(path).thenCompose((Optional<Stat> st) -> {
            if (st.isPresent() && st.get().ephemeralOwner() == s.id()) {
                return done(s);
            }
            CompletableFuture<Long> deleted = st.isPresent() ? client.async().delete(path, st.get().version())
                    : CompletableFuture.completedFuture(0L);
            return deleted.handle((r, e) -> null).thenCompose(v -> register(replaced + 1));
        });
    }

    private CompletableFuture<Void> done(Session s) {
        synchronized (this) {
            registeredSession = s.id();
        }
        LOG.info("registered {} at {} (session {})", instance.id(), path, s.id());
        return CompletableFuture.completedFuture(null);
    }

    private void sessionChanged(Session s, SessionState state) {
        if (state == SessionState.EXPIRED) {
            reRegister(1);
        }
    }

    /** Registers again with a new session, retrying with backoff until it works or we close. */
    private void reRegister(int attempt) {
        synchronized (this) {
            if (closed || (reRegistering && attempt == 1)) {
                return;
            }
            reRegistering = true;
        }
        register().whenComplete((v, e) -> {
            if (e == null) {
                synchronized (this) {
                    reRegistering = false;
                }
                return;
            }
            long cap = Math.min(5000, 100L << Math.min(attempt, 6));
            long delay = cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1);
            LOG.info("re-registering {} failed ({}); again in {} ms", instance.id(), e.toString(), delay);
            CompletableFuture.runAsync(() -> reRegister(attempt + 1),
                    CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS));
        });
    }

    /** Whether the instance's node is registered under the client's current session. */
    public synchronized boolean isRegistered() {
        return !closed && registeredSession != 0 && !reRegistering;
    }

    /** Deregisters: deletes the node and stops re-registering. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        client.removeSessionStateListener(sessionListener);
        try {
            Optional<Stat> st = client.exists(path);
            long mine;
            synchronized (this) {
                mine = registeredSession;
            }
            if (st.isPresent() && st.get().ephemeralOwner() == mine) {
                client.delete(path, st.get().version());
            }
        } catch (NoNodeException | ClientClosedException gone) {
            // nothing to delete
        } catch (KvorumException e) {
            LOG.warn("deregistering {} failed; the node goes with the session", instance.id(), e);
        }
    }
}
