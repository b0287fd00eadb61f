package io.kvorum.client.recipes;

import io.kvorum.client.KvorumClient;
import io.kvorum.client.KvorumException;
import io.kvorum.client.NoNodeException;
import io.kvorum.client.RequestOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election on top of {@link DistributedLock}: the participant holding the lock is the
 * leader. A background thread waits in the queue; when it gets the lock the listener hears
 * {@link LeadershipListener#leadershipGained}, and when the hold ends (session LOST or EXPIRED,
 * {@link #resign()} or {@link #close()}) it hears {@link LeadershipListener#leadershipLost}, and
 * the participant queues again (unless closed).
 *
 * <p>Each participant's id is stored in its queue node, so {@link #currentLeader()} can name
 * the leader to anyone.
 */
public final class LeaderElection implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderElection.class);

    private final KvorumClient client;
    private final String path;
    private final String participantId;
    private final LeadershipListener listener;
    private final Thread thread;

    // Guarded by this.
    private DistributedLock lock;
    private boolean leader;
    private boolean closed;
    private CompletableFuture<Void> resigned = new CompletableFuture<>();
    /** Completed with the fencing token when this participant next leads (or leads now). */
    private CompletableFuture<Long> leadership = new CompletableFuture<>();

    public LeaderElection(KvorumClient client, String electionPath, String participantId,
                          LeadershipListener listener) {
        this.client = Objects.requireNonNull(client, "client");
        this.path = Objects.requireNonNull(electionPath, "electionPath");
        this.participantId = Objects.requireNonNull(participantId, "participantId");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.thread = new Thread(this::run, "kvorum-election-" + participantId);
        this.thread.setDaemon(true);
    }

    /** Joins the election in the background. */
    public void start() {
        thread.start();
    }

    /** The id this participant stands for; the leader's id is what {@link #currentLeader()} returns. */
    public String participantId() {
        return participantId;
    }

    public synchronized boolean isLeader() {
        return leader;
    }

    /**
     * Waits until this participant leads, at most {@code timeout}.
     *
     * @return true when it leads (now or within the timeout); false when the time ran out
     */
    public boolean awaitLeadership(Duration timeout) throws InterruptedException {
        try {
            whenLeader().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException("leadership future failed", e.getCause());
        }
    }

    /**
     * Completes with the fencing token when this participant leads: at once while it leads,
     * else when it next gains leadership. A new future is handed out after each loss.
     */
    public synchronized CompletableFuture<Long> whenLeader() {
        return leadership.copy();
    }

    /**
     * Who leads the election at {@code electionPath}, read linearizably, without taking part:
     * the leader's participant id, or empty when nobody leads.
     */
    public static Optional<String> leaderOf(KvorumClient client, String electionPath) {
        for (String name : Contenders.list(client, electionPath, RequestOptions.DEFAULT).names()) {
            try {
                return Optional.of(client.get(Contenders.child(electionPath, name)).dataAsString());
            } catch (NoNodeException gone) {
                // the head just left: the next one is leader now
            }
        }
        return Optional.empty();
    }

    /** This participant's fencing token while leader. @throws IllegalStateException when not leader */
    public long fencingToken() {
        DistributedLock l;
        synchronized (this) {
            l = lock;
        }
        if (l == null) {
            throw new IllegalStateException(participantId + " is not the leader");
        }
        return l.fencingToken();
    }

    /** The current leader's participant id, read (linearizably) from the queue's head; empty when none. */
    public Optional<String> currentLeader() {
        return leaderOf(client, path);
    }

    /** Gives up leadership now (if leader) and queues again. */
    public void resign() {
        CompletableFuture<Void> r;
        synchronized (this) {
            r = resigned;
        }
        r.complete(null);
    }

    /** Leaves the election for good (giving up leadership if held). */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        resign();
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized boolean isClosed() {
        return closed;
    }

    private void run() {
        int failures = 0;
        while (!isClosed()) {
            DistributedLock l = new DistributedLock(client, path, participantId.getBytes(StandardCharsets.UTF_8));
            try {
                l.acquire();
                failures = 0;
                CompletableFuture<Void> r;
                CompletableFuture<Long> gained;
                synchronized (this) {
                    lock = l;
                    leader = true;
                    r = resigned;
                    gained = leadership;
                }
                gained.complete(l.fencingToken());
                listener.leadershipGained(l.fencingToken());
                CompletableFuture.anyOf(l.whenLost(), r).join();
                synchronized (this) {
                    leader = false;
                    lock = null;
                    resigned = new CompletableFuture<>();
                    leadership = new CompletableFuture<>();
                }
                listener.leadershipLost();
                l.release();
            } catch (KvorumException | IllegalStateException e) {
                if (isClosed()) {
                    break;
                }
                failures++;
                LOG.info("election {}: {} could not take part ({}); trying again", path, participantId, e.toString());
                sleep(failures);
            } catch (RuntimeException e) {
                LOG.error("election {}: the leadership listener threw", path, e);
                synchronized (this) {
                    if (leader) {
                        leader = false;
                        lock = null;
                        leadership = new CompletableFuture<>();
                    }
                }
                l.release();
                sleep(++failures);
            }
        }
    }

    private static void sleep(int failures) {
        long cap = Math.min(2000, 50L << Math.min(failures, 6));
        try {
            Thread.sleep(cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "LeaderElection{" + path + ", " + participantId + ", leader=" + isLeader() + "}";
    }
}
