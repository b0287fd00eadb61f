package io.kvorum.client.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.client.KvorumClient;
import io.kvorum.client.KvorumException;
import io.kvorum.client.SessionState;
import io.kvorum.client.recipes.DistributedLock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Done-criterion 2: a lock is never held by two clients at once while the leader is killed and
 * a holder's session expires. Workers increment a counter guarded by fencing tokens; a
 * "zombie" takes the lock, then its network dies while it still believes it holds the lock
 * and, once someone else has it, tries to write with its old token: the counter refuses.
 */
class LockFencingIntegrationTest {
    private static final Logger LOG = LoggerFactory.getLogger(LockFencingIntegrationTest.class);

    @TempDir
    Path dir;

    /** The guarded resource: accepts a write only with a token at least the largest it has seen. */
    static final class FencedCounter {
        private long highestToken;
        private long value;
        final List<Long> accepted = new ArrayList<>();
        int refused;

        synchronized boolean increment(long token) {
            if (token < highestToken) {
                refused++;
                return false;
            }
            highestToken = token;
            value++;
            accepted.add(token);
            return true;
        }

        synchronized long value() {
            return value;
        }

        synchronized long highestToken() {
            return highestToken;
        }
    }

    /** Who believes they hold the lock right now; two at once is the failure this test looks for. */
    static final class Holders {
        private final Set<String> now = new HashSet<>();
        final List<String> overlaps = new CopyOnWriteArrayList<>();

        synchronized void enter(String who) {
            if (!now.isEmpty()) {
                overlaps.add(who + " acquired while " + now + " held the lock");
            }
            now.add(who);
        }

        synchronized void leave(String who) {
            now.remove(who);
        }
    }

    @Test
    void aLockIsNeverHeldTwiceAcrossLeaderDeathAndSessionExpiry() throws Exception {
        FencedCounter counter = new FencedCounter();
        Holders holders = new Holders();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger holdsAfterKill = new AtomicInteger();
        AtomicBoolean killed = new AtomicBoolean();
        List<Throwable> unexpected = new CopyOnWriteArrayList<>();
        try (RealCluster cluster = new RealCluster(dir, 3).startAll()) {
            List<KvorumClient> clients = new ArrayList<>();
            List<Thread> workers = new ArrayList<>();
            for (int w = 0; w < 3; w++) {
                KvorumClient c = ItClients.of(cluster);
                clients.add(c);
                String name = "worker-" + w;
                Thread t = new Thread(() -> {
                    while (!stop.get()) {
                        DistributedLock lock = new DistributedLock(c, "/locks/counter");
                        try {
                            if (!lock.acquire(Duration.ofSeconds(10))) {
                                continue;
                            }
                            holders.enter(name);
                            if (killed.get()) {
                                holdsAfterKill.incrementAndGet();
                            }
                            long token = lock.fencingToken();
                            for (int k = 0; k < 3 && lock.isHeld(); k++) {
                                counter.increment(token);
                                Thread.sleep(10);
                            }
                            holders.leave(name);
                            lock.release();
                        } catch (KvorumException e) {
                            holders.leave(name); // the cluster was briefly unavailable: try again
                        } catch (InterruptedException e) {
                            return;
                        } catch (Throwable e) {
                            unexpected.add(e);
                        }
                    }
                }, name);
                workers.add(t);
                t.start();
            }

            Thread.sleep(1000);
            long leader = cluster.awaitLeader();
            LOG.info("killing leader {} at counter {}", leader, counter.value());
            cluster.stop(leader);
            killed.set(true);
            Thread.sleep(1500);
            cluster.restartStopped();

            // The zombie: holds the lock, then its network dies; it never checks isHeld().
            CuttableChannels zombieNet = new CuttableChannels();
            KvorumClient zombie = ItClients.of(cluster, zombieNet);
            DistributedLock zlock = new DistributedLock(zombie, "/locks/counter");
            assertTrue(zlock.acquire(Duration.ofSeconds(20)), "the zombie got its turn");
            holders.enter("zombie");
            zlock.whenLost().thenRun(() -> holders.leave("zombie")); // its own client says it is lost
            long zombieToken = zlock.fencingToken();
            assertTrue(counter.increment(zombieToken));
            zombieNet.cut();
            LOG.info("zombie holds token {} and is cut off", zombieToken);

            // Its session expires; the cluster deletes its node and hands the lock on.
            await().atMost(Duration.ofSeconds(15)).until(() -> counter.highestToken() > zombieToken);
            assertFalse(counter.increment(zombieToken), "the zombie's late write is fenced off");
            assertFalse(zlock.isHeld(), "the zombie's client knows it lost the lock");
            assertTrue(zombie.session().state() == SessionState.LOST
                    || zombie.session().state() == SessionState.EXPIRED, zombie.session().state().toString());

            stop.set(true);
            for (Thread t : workers) {
                t.join(15_000);
            }
            for (KvorumClient c : clients) {
                c.close();
            }
            zombie.close();
        }
        LOG.info("counter {}, {} accepted, {} refused, {} holds after the kill", counter.value(),
                counter.accepted.size(), counter.refused, holdsAfterKill.get());
        assertTrue(unexpected.isEmpty(), "unexpected: " + unexpected);
        assertEquals(List.of(), holders.overlaps);
        assertEquals(counter.accepted.size(), counter.value());
        assertEquals(1, counter.refused, "only the zombie was ever refused");
        assertTrue(holdsAfterKill.get() > 0);
        for (int i = 1; i < counter.accepted.size(); i++) {
            assertTrue(counter.accepted.get(i) >= counter.accepted.get(i - 1));
        }
    }
}
