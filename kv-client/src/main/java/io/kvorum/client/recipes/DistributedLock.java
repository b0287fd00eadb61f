package io.kvorum.client.recipes;

import io.kvorum.client.ClientClosedException;
import io.kvorum.client.ClientThreads;
import io.kvorum.client.ClusterUnavailableException;
import io.kvorum.client.CreateMode;
import io.kvorum.client.CreateResult;
import io.kvorum.client.DeadlineExceededException;
import io.kvorum.client.KvorumClient;
import io.kvorum.client.KvorumException;
import io.kvorum.client.NoNodeException;
import io.kvorum.client.RequestOptions;
import io.kvorum.client.Session;
import io.kvorum.client.SessionExpiredException;
import io.kvorum.client.SessionState;
import io.kvorum.client.SessionStateListener;
import io.kvorum.client.Watch;
import io.kvorum.client.WatchEvent;
import io.kvorum.client.WatchListener;
import io.kvorum.client.WatchSpec;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A mutual-exclusion lock over the cluster (the ZooKeeper lock recipe).
 *
 * <p>Each contender creates an ephemeral sequential node under the lock path; the lowest
 * sequence holds the lock. A waiter watches only the node just before its own, so a release
 * wakes exactly one waiter (no herd). The node belongs to the client's session: if the holder
 * dies, its session expires and the cluster deletes the node, which hands the lock on.
 *
 * <p><b>Fencing.</b> No lock service can stop a holder that paused (GC, a partition) from
 * acting after its session expired and someone else took the lock (etcd-io/etcd#11456). So the
 * lock hands out a {@link #fencingToken()}: the create revision of the holder's node. Later
 * holders always have larger tokens. Pass the token with every write to the guarded resource
 * and have it refuse tokens smaller than the largest it has seen.
 *
 * <p><b>Session states.</b> On SUSPENDED the lock may or may not still be held: stop work that
 * needs it until RECONNECTED. On LOST or EXPIRED it is treated as lost: {@link #isHeld()}
 * turns false and {@link #whenLost()} completes (after LOST the client also deletes its node,
 * should the session still be alive, so the lock is not held by nobody-who-knows-it).
 *
 * <p>One instance is one contender; not reentrant. Thread-safe. Closing releases the lock, so
 * a hold can be scoped with try-with-resources:
 * <pre>{@code
 * try (DistributedLock lock = new DistributedLock(client, "/locks/backup")) {
 *     if (lock.acquire(Duration.ofSeconds(10))) {
 *         runBackup(lock.fencingToken());
 *     }
 * }
 * }</pre>
 */
public final class DistributedLock implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DistributedLock.class);

    private final KvorumClient client;
    private final String lockPath;
    private final byte[] data;

    // Guarded by this.
    private String ownPath;
    private long token;
    private boolean held;
    private boolean acquiring;
    private Session session;
    private SessionStateListener sessionListener;
    private CompletableFuture<Void> lost = new CompletableFuture<>();

    /** A lock at {@code lockPath} (created if missing). */
    public DistributedLock(KvorumClient client, String lockPath) {
        this(client, lockPath, new byte[0]);
    }

    /** A lock whose contender node carries {@code data} (e.g. who is waiting, for operators). */
    public DistributedLock(KvorumClient client, String lockPath, byte[] data) {
        this.client = Objects.requireNonNull(client, "client");
        this.lockPath = Objects.requireNonNull(lockPath, "lockPath");
        this.data = data.clone();
    }

    /** Waits for the lock as long as it takes. @throws SessionExpiredException if the session ends first */
    public void acquire() {
        if (!acquire(null)) {
            throw new IllegalStateException("unreachable: an unbounded acquire returned without the lock");
        }
    }

    /**
     * Waits for the lock at most {@code timeout} (null: forever). The timeout covers everything:
     * opening the client's session if it has none yet, entering the queue and waiting in it.
     *
     * @return true when acquired; false when the time ran out, whatever it ran out on (this
     *         contender then withdrew)
     * @throws SessionExpiredException when the session ended while waiting
     * @throws KvorumException when the cluster refused a step (not for running out of time)
     * @throws IllegalStateException when this instance holds or is acquiring the lock already
     */
    public boolean acquire(Duration timeout) {
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            if (held || acquiring) {
                throw new IllegalStateException("lock " + lockPath + " is already held or being acquired by this instance");
            }
            acquiring = true;
            lost = new CompletableFuture<>();
        }
        boolean acquired = false;
        try {
            acquired = enterAndWait(deadline);
            return acquired;
        } catch (DeadlineExceededException | ClusterUnavailableException e) {
            if (deadline != Long.MAX_VALUE && System.nanoTime() - deadline >= 0) {
                return false; // the time ran out on a call: that is a timeout, not a failure
            }
            throw e;
        } finally {
            synchronized (this) {
                acquiring = false;
            }
            if (!acquired) {
                withdraw();
            }
        }
    }

    private boolean enterAndWait(long deadline) {
        Session s = withinDeadline(client.async().ensurePath(lockPath, options(null, deadline))
                .thenCompose(v -> client.async().session()), deadline);
        if (s == null) {
            return false;
        }
        String prefix = Contenders.namePrefix(UUID.randomUUID().toString());
        watchSession(s);
        CreateResult mine;
        try {
            mine = client.create(Contenders.child(lockPath, prefix), data, CreateMode.EPHEMERAL_SEQUENTIAL,
                    options(s, deadline));
        } catch (KvorumException e) {
            // The create may have been applied although its answer was lost: find it by its uuid.
            synchronized (this) {
                ownPath = findOwn(prefix);
            }
            throw e;
        }
        String myName = Contenders.nameOf(mine.path());
        synchronized (this) {
            ownPath = mine.path();
            token = mine.stat().createRevision();
        }
        while (true) {
            checkSession(s);
            Contenders.Listing queue = Contenders.list(client, lockPath, RequestOptions.DEFAULT);
            int at = queue.indexOf(myName);
            if (at < 0) {
                throw new SessionExpiredException("lock " + lockPath + ": this contender's node " + mine.path()
                        + " is gone (its session ended)", null, "SESSION_EXPIRED", mine.path(), -1);
            }
            if (at == 0) {
                synchronized (this) {
                    checkSession(s);
                    held = true;
                }
                LOG.debug("lock {} acquired with token {}", lockPath, token);
                return true;
            }
            String predecessor = Contenders.child(lockPath, queue.names().get(at - 1));
            if (!awaitDeletion(predecessor, queue.revision(), deadline)) {
                return false;
            }
        }
    }

    /** Waits until {@code path} is deleted (watching from just after the listing); false on timeout. */
    private boolean awaitDeletion(String path, long listedAt, long deadline) {
        CompletableFuture<Boolean> gone = new CompletableFuture<>();
        whenLost().whenComplete((v, e) -> gone.completeExceptionally(new SessionExpiredException("lock " + lockPath
                + ": the session was lost while waiting", null, "SESSION_EXPIRED", path, -1)));
        Watch w = client.watch(WatchSpec.node(path).fromRevision(listedAt + 1), new WatchListener() {
            @Override
            public void onEvent(WatchEvent event) {
                if (event.type() == WatchEvent.Type.DELETED && event.path().equals(path)) {
                    gone.complete(true);
                }
            }

            @Override
            public void onError(KvorumException error) {
                gone.complete(true); // look at the queue again rather than wait on a dead watch
            }
        });
        try {
            return withinDeadline(gone, deadline) != null;
        } finally {
            w.cancel();
        }
    }

    /** Whether this instance holds the lock (false from the moment its session is LOST). */
    public synchronized boolean isHeld() {
        // The session's own state, not only our listener's copy: a listener runs a moment later.
        return held && session != null && session.state() != SessionState.LOST && !session.state().isTerminal();
    }

    /**
     * The fencing token of the current hold: the create revision of this contender's node.
     * Strictly larger for every later holder.
     *
     * @throws IllegalStateException when the lock is not held
     */
    public synchronized long fencingToken() {
        if (!held) {
            throw new IllegalStateException("lock " + lockPath + " is not held");
        }
        return token;
    }

    /** This contender's node, while it has one. */
    public synchronized String nodePath() {
        return ownPath;
    }

    /** Completes when a hold (or the current wait) is lost with the session; never on release. */
    public synchronized CompletableFuture<Void> whenLost() {
        return lost;
    }

    /** Releases the lock if held: the same as {@link #release()}. */
    @Override
    public void close() {
        release();
    }

    /**
     * Releases the lock (deletes this contender's node) and waits for the deletion. Does nothing
     * when not held. Called on one of the client's I/O threads (in a callback of an async call,
     * see {@link ClientThreads#isIoThread()}), it returns without waiting; the deletion still
     * happens, and the next contender gets the lock once it has.
     */
    public void release() {
        synchronized (this) {
            if (!held) {
                return;
            }
            held = false;
        }
        withdraw();
    }

    /** Leaves the queue: deletes our node (if any) and stops following the session. */
    private void withdraw() {
        String path;
        Session s;
        SessionStateListener l;
        synchronized (this) {
            path = ownPath;
            ownPath = null;
            s = session;
            l = sessionListener;
            session = null;
            sessionListener = null;
        }
        if (s != null && l != null) {
            s.removeListener(l);
        }
        if (path != null) {
            CompletableFuture<Void> deleted = client.async().delete(path).handle((ok, e) -> {
                Throwable c = e instanceof CompletionException ? e.getCause() : e;
                if (c != null && !(c instanceof NoNodeException || c instanceof SessionExpiredException
                        || c instanceof ClientClosedException)) {
                    LOG.warn("lock {}: could not delete {}; it goes when the session ends", lockPath, path, c);
                }
                return null;
            });
            // On an I/O thread the answer may be this thread's to read: waiting would stall it
            // until the call's deadline. join, not get: a withdrawal must be waited for even on
            // an interrupted thread (e.g. an election closing).
            if (!ClientThreads.isIoThread()) {
                deleted.join();
            }
        }
    }

    private void watchSession(Session s) {
        SessionStateListener l = (sess, state) -> {
            if (state == SessionState.LOST || state.isTerminal()) {
                onSessionLost(state);
            }
        };
        synchronized (this) {
            session = s;
            sessionListener = l;
        }
        s.addListener(l);
        if (s.state() == SessionState.LOST || s.state().isTerminal()) {
            onSessionLost(s.state());
        }
    }

    private void onSessionLost(SessionState state) {
        boolean wasHeld;
        String path;
        synchronized (this) {
            wasHeld = held;
            held = false;
            path = state == SessionState.LOST ? ownPath : null;
        }
        if (wasHeld) {
            LOG.warn("lock {} lost: session {}", lockPath, state);
        }
        lost.complete(null);
        if (path != null) {
            // The session may still be alive: free the lock for others rather than hold it unknowingly.
            client.async().delete(path);
        }
    }

    private void checkSession(Session s) {
        SessionState st = s.state();
        if (st == SessionState.LOST || st.isTerminal() || lost.isDone()) {
            throw new SessionExpiredException("lock " + lockPath + ": the session is " + st, null, "SESSION_EXPIRED",
                    lockPath, -1);
        }
    }

    private String findOwn(String prefix) {
        try {
            for (String name : client.children(lockPath)) {
                if (name.startsWith(prefix)) {
                    return Contenders.child(lockPath, name);
                }
            }
        } catch (KvorumException e) {
            LOG.debug("lock {}: could not look for an orphan contender node", lockPath, e);
        }
        return null;
    }

    /** The future's value, or null when the deadline passes first. */
    private <T> T withinDeadline(CompletableFuture<T> f, long deadline) {
        try {
            return deadline == Long.MAX_VALUE ? f.get() : f.get(Math.max(0, deadline - System.nanoTime()),
                    TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KvorumException("interrupted while waiting for lock " + lockPath, e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof KvorumException ke ? ke : new KvorumException("entering lock " + lockPath, c);
        }
    }

    private static RequestOptions options(Session s, long deadline) {
        RequestOptions o = s == null ? RequestOptions.DEFAULT : RequestOptions.session(s);
        if (deadline != Long.MAX_VALUE) {
            long left = Math.max(1, deadline - System.nanoTime());
            o = o.withDeadline(Duration.ofNanos(Math.min(left, Duration.ofSeconds(30).toNanos())));
        }
        return o;
    }
}
