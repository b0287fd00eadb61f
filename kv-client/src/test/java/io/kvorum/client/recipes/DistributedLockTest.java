package io.kvorum.client.recipes;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.client.KvorumClient;
import io.kvorum.client.Session;
import io.kvorum.client.SessionExpiredException;
import io.kvorum.client.fake.FakeCluster;
import io.kvorum.client.fake.FakeNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The lock recipe against a fake cluster: exclusion, no herd, timeouts, fencing, session loss. */
class DistributedLockTest {
    private FakeCluster cluster;
    private final List<KvorumClient> clients = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        cluster = new FakeCluster(3);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (KvorumClient c : clients) {
            c.close();
        }
        cluster.close();
    }

    private KvorumClient client() {
        KvorumClient c = RecipeClients.of(cluster);
        clients.add(c);
        return c;
    }

    @Test
    void oneHolderAtATimeAndTokensIncrease() throws Exception {
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger maxInside = new AtomicInteger();
        List<Long> tokens = java.util.Collections.synchronizedList(new ArrayList<>());
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            KvorumClient c = client();
            workers.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 5; i++) {
                    DistributedLock lock = new DistributedLock(c, "/locks/x");
                    lock.acquire();
                    int now = inside.incrementAndGet();
                    maxInside.accumulateAndGet(now, Math::max);
                    tokens.add(lock.fencingToken());
                    sleep(5);
                    inside.decrementAndGet();
                    lock.release();
                }
            }));
        }
        for (CompletableFuture<Void> w : workers) {
            w.get();
        }
        assertEquals(1, maxInside.get());
        assertEquals(20, tokens.size());
        for (int i = 1; i < tokens.size(); i++) {
            assertTrue(tokens.get(i) > tokens.get(i - 1), "tokens increase: " + tokens);
        }
        assertTrue(cluster.state.paths().stream().noneMatch(p -> p.startsWith("/locks/x/")), "no node left behind");
    }

    @Test
    void aWaiterWatchesOnlyItsPredecessor() throws Exception {
        KvorumClient a = client();
        DistributedLock first = new DistributedLock(a, "/locks/h");
        first.acquire();
        List<DistributedLock> waiters = new ArrayList<>();
        List<CompletableFuture<Void>> waiting = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            KvorumClient c = client();
            DistributedLock l = new DistributedLock(c, "/locks/h");
            waiters.add(l);
            waiting.add(CompletableFuture.runAsync(l::acquire));
            await().until(() -> l.nodePath() != null);
        }
        // Positive signal first: every waiter watches (its predecessor).
        await().until(() -> watchCreates() >= 3);
        int createsBefore = watchCreates();
        first.release();
        waiting.get(0).get();
        assertTrue(waiters.get(0).isHeld());
        assertFalse(waiting.get(1).isDone());
        // The lock passes on down the line: by the time the last waiter holds it, both deletes
        // have reached every watcher. Waking a herd would have made waiters re-watch.
        waiters.get(0).release();
        waiting.get(1).get();
        waiters.get(1).release();
        waiting.get(2).get();
        assertEquals(createsBefore, watchCreates(), "nobody else woke up to re-watch (no herd)");
        waiters.get(2).release();
    }

    @Test
    void aTimedOutAcquireWithdrawsFromTheQueue() {
        KvorumClient a = client();
        KvorumClient b = client();
        DistributedLock holder = new DistributedLock(a, "/locks/t");
        holder.acquire();
        DistributedLock waiter = new DistributedLock(b, "/locks/t");
        long start = System.nanoTime();
        assertFalse(waiter.acquire(Duration.ofMillis(300)));
        assertTrue((System.nanoTime() - start) / 1_000_000 >= 290);
        assertEquals(1, a.children("/locks/t").size(), "the waiter's node is gone");
        holder.release();
        assertTrue(waiter.acquire(Duration.ofSeconds(2)));
        waiter.release();
    }

    @Test
    void anExpiredSessionLosesTheLockAndHandsItOn() throws Exception {
        KvorumClient a = client();
        KvorumClient b = client();
        DistributedLock holder = new DistributedLock(a, "/locks/e");
        holder.acquire();
        long oldToken = holder.fencingToken();
        DistributedLock next = new DistributedLock(b, "/locks/e");
        CompletableFuture<Void> waiting = CompletableFuture.runAsync(next::acquire);

        Session s = a.session();
        cluster.state.expireSession(s.id());
        holder.whenLost().get(); // told by the session's EXPIRED
        assertFalse(holder.isHeld());
        waiting.get();
        assertTrue(next.isHeld());
        assertTrue(next.fencingToken() > oldToken);
        assertThrows(IllegalStateException.class, holder::fencingToken);
    }

    @Test
    void aWaiterWhoseSessionExpiresGetsSessionExpired() throws Exception {
        KvorumClient a = client();
        KvorumClient b = client();
        new DistributedLock(a, "/locks/w").acquire();
        DistributedLock waiter = new DistributedLock(b, "/locks/w");
        CompletableFuture<Void> waiting = CompletableFuture.runAsync(waiter::acquire);
        await().until(() -> waiter.nodePath() != null);
        cluster.state.expireSession(b.session().id());
        Throwable e = assertThrows(Exception.class, waiting::get).getCause();
        assertTrue(e instanceof SessionExpiredException, e.toString());
    }

    @Test
    void theLockSurvivesANodeFailure() throws Exception {
        KvorumClient a = client();
        DistributedLock lock = new DistributedLock(a, "/locks/n");
        lock.acquire();
        for (FakeNode n : cluster.nodes) {
            n.stop();
            n.start();
        }
        // Positive signal first: the session's keep-alives are answered again after the restarts.
        int keepAlives = cluster.nodes.stream().mapToInt(n -> n.keepAlives.get()).sum();
        await().until(() -> cluster.nodes.stream().mapToInt(n -> n.keepAlives.get()).sum() > keepAlives + 1
                && a.session().state().isConnected());
        assertTrue(lock.isHeld());
        lock.release();
    }

    private int watchCreates() {
        return cluster.nodes.stream().mapToInt(n -> n.watchCreates.get()).sum();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
