package io.kvorum.server.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.server.raft.Role;
import io.kvorum.server.storage.StorageException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real 3-node cluster in one JVM: RocksDB stores, gRPC on loopback, real timers. */
class NodeClusterTest {
    @TempDir
    Path dir;
    NodeHarness cluster;

    @AfterEach
    void stopAll() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Starts a 3-node cluster; returns its leader, once every node knows it. */
    private long startThreeNodes() throws IOException {
        cluster = new NodeHarness(dir, "test", 3);
        cluster.startAll();
        return cluster.awaitLeaderKnownByAll();
    }

    @Test
    void electsALeaderReplicatesAndCommitsOnEveryNode() throws Exception {
        long leader = startThreeNodes();
        List<CompletableFuture<byte[]>> writes = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            long via = 1 + i % 3;
            writes.add(cluster.node(via).propose(CounterStateMachine.put("k" + i, "v" + i)));
        }
        for (CompletableFuture<byte[]> w : writes) {
            w.get(10, TimeUnit.SECONDS);
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (long id = 1; id <= 3; id++) {
                assertEquals("v199", cluster.read(id, "k199"), "node " + id);
                assertEquals("v0", cluster.read(id, "k0"), "node " + id);
            }
        });
        long follower = leader == 1 ? 2 : 1;
        cluster.write(leader, "fresh", "yes");
        assertEquals("yes", cluster.linearizableRead(follower, "fresh"),
                "a linearizable read on a follower sees a write acknowledged by the leader");
    }

    /**
     * Concurrent linearizable reads on a follower, whose ReadIndex requests the core batches,
     * each see every write acknowledged before they started.
     */
    @Test
    void concurrentReadsOnAFollowerSeeEveryWriteAcknowledgedBeforeThem() throws Exception {
        long leader = startThreeNodes();
        long follower = leader == 1 ? 2 : 1;
        AtomicInteger acknowledged = new AtomicInteger(-1);
        AtomicBoolean writing = new AtomicBoolean(true);
        // Threads of its own: the common pool has one thread on a 2-core machine.
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<CompletableFuture<Integer>> readers = new ArrayList<>();
        for (int r = 0; r < 4; r++) {
            readers.add(CompletableFuture.supplyAsync(() -> {
                int reads = 0;
                while (writing.get() || reads == 0) {
                    int before = acknowledged.get();
                    String seen;
                    try {
                        seen = cluster.linearizableRead(follower, "counter");
                    } catch (Exception e) {
                        throw new CompletionException(e);
                    }
                    int value = seen == null ? -1 : Integer.parseInt(seen);
                    assertTrue(value >= before, "read " + value + " after write " + before + " was acknowledged");
                    reads++;
                }
                return reads;
            }, pool));
        }
        try {
            for (int i = 0; i < 150; i++) {
                cluster.write(leader, "counter", Integer.toString(i));
                acknowledged.set(i);
            }
            writing.set(false);
            for (CompletableFuture<Integer> r : readers) {
                assertTrue(r.get(30, TimeUnit.SECONDS) > 0);
            }
        } finally {
            writing.set(false);
            pool.shutdownNow();
        }
    }

    /**
     * The durability contract through the pipelined node: the leader persists and applies on
     * separate threads, yet a write is answered (and applied) only once a quorum persisted it.
     */
    @Test
    void aWriteIsAcknowledgedOnlyOnceAQuorumPersistedIt() throws Exception {
        long leader = startThreeNodes();
        cluster.write(leader, "warm", "1");
        List<Long> followers = new ArrayList<>(List.of(1L, 2L, 3L));
        followers.remove(leader);
        followers.forEach(cluster::stop);
        RaftNode l = cluster.node(leader);
        long persistedBefore = l.store().lastIndex();
        CompletableFuture<byte[]> write = l.propose(CounterStateMachine.put("lonely", "v"));
        // Positive signal first: the entry is on the leader's own disk.
        await().atMost(Duration.ofSeconds(10)).until(() -> l.store().lastIndex() > persistedBefore);
        assertFalse(write.isDone(), "a write was answered with only the leader's copy durable");
        assertNull(cluster.read(leader, "lonely"), "a write was applied with only the leader's copy durable");
        cluster.start(followers.get(0));
        write.get(20, TimeUnit.SECONDS);
        assertEquals("v", cluster.read(leader, "lonely"));
    }

    /**
     * A follower whose loop is idle handles the leader's appends on the thread that delivered
     * them (persists and acknowledges them there) instead of waking its loop thread, and the
     * writes still reach every node.
     */
    @Test
    void anIdleFollowerHandlesAppendsOnTheThreadThatDeliversThem() throws Exception {
        long leader = startThreeNodes();
        long follower = leader == 1 ? 2 : 1;
        long before = cluster.node(follower).turnsOnDelivery();
        for (int i = 0; i < 20; i++) {
            cluster.write(leader, "one-by-one", "v" + i);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> "v19".equals(cluster.read(follower, "one-by-one")));
        assertTrue(cluster.node(follower).turnsOnDelivery() > before,
                "no turn ran on the follower's delivering thread over 20 writes one at a time");
    }

    /**
     * Writes that reach a leader while it hands over leadership are held, not refused: once
     * the new leader is known they are forwarded to it and answered, so a planned hand-off
     * costs callers a pause rather than an error (and a client back-off). They meet the
     * transfer in progress, or the old leader already stepped down and not yet told of its
     * successor: both are held.
     */
    @Test
    void writesDuringAHandOffAreHeldAndForwardedToTheNewLeader() throws Exception {
        long leader = startThreeNodes();
        long to = leader == 1 ? 2 : 1;
        cluster.write(leader, "warm", "1");
        RaftNode l = cluster.node(leader);
        CompletableFuture<Void> transfer = l.transferLeadership(to);
        List<CompletableFuture<byte[]>> writes = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            writes.add(l.propose(CounterStateMachine.put("held" + i, "v" + i)));
        }
        transfer.get(10, TimeUnit.SECONDS);
        for (CompletableFuture<byte[]> w : writes) {
            w.get(10, TimeUnit.SECONDS);
        }
        assertEquals(to, cluster.awaitLeaderKnownByAll());
        for (int i = 0; i < 50; i++) {
            assertEquals("v" + i, cluster.read(to, "held" + i));
        }
    }

    /** A hand-off to a node that never takes over is abandoned; the writes held meanwhile are proposed here. */
    @Test
    void writesHeldDuringAnAbandonedHandOffAreProposedByTheLeader() throws Exception {
        long leader = startThreeNodes();
        long to = leader == 1 ? 2 : 1;
        cluster.write(leader, "warm", "1");
        cluster.stop(to);
        RaftNode l = cluster.node(leader);
        CompletableFuture<Void> transfer = l.transferLeadership(to);
        CompletableFuture<byte[]> write = l.propose(CounterStateMachine.put("held", "v"));
        write.get(20, TimeUnit.SECONDS);
        assertFalse(transfer.isDone(), "the transfer to a stopped node cannot have finished");
        assertEquals(leader, cluster.awaitLeader());
        assertEquals("v", cluster.read(leader, "held"));
    }

    @Test
    void newLeaderServesAfterTheLeaderDiesAndTheDeadNodeCatchesUp() throws Exception {
        cluster = new NodeHarness(dir, "test", 3);
        cluster.startAll();
        long leader = cluster.awaitLeader();
        cluster.write(leader, "before", "1");
        long killedAt = System.nanoTime();
        cluster.stop(leader);
        long newLeader = cluster.awaitLeader();
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
        assertNotEquals(leader, newLeader);
        assertTrue(tookMs < 2 * 2 * NodeHarness.ELECTION_MS,
                "a new leader took " + tookMs + " ms; two (randomised, up to 2x) election timeouts allow "
                        + 4 * NodeHarness.ELECTION_MS);
        cluster.write(newLeader, "after", "2");
        cluster.start(leader);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertEquals("1", cluster.read(leader, "before"));
            assertEquals("2", cluster.read(leader, "after"));
        });
    }

    @Test
    void killingEveryNodeAndRestartingLosesNoAcknowledgedWrite() throws Exception {
        cluster = new NodeHarness(dir, "test", 3);
        cluster.startAll();
        cluster.awaitLeaderKnownByAll();
        List<CompletableFuture<byte[]>> writes = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            writes.add(cluster.node(1 + i % 3).propose(CounterStateMachine.put("k" + i, "v" + i)));
        }
        List<Integer> acknowledged = new ArrayList<>();
        for (int i = 0; i < writes.size(); i++) {
            try {
                writes.get(i).get(10, TimeUnit.SECONDS);
                acknowledged.add(i);
            } catch (Exception e) {
                // not acknowledged: may or may not survive
            }
        }
        assertTrue(acknowledged.size() > 250, "most writes are acknowledged: " + acknowledged.size());
        for (long id = 1; id <= 3; id++) {
            cluster.stop(id);
        }
        cluster.startAll();
        long leader = cluster.awaitLeader();
        for (int i : acknowledged) {
            assertEquals("v" + i, cluster.linearizableRead(leader, "k" + i), "acknowledged write k" + i);
        }
    }

    @Test
    void followerThatMissedACompactionCatchesUpBySnapshot() throws Exception {
        cluster = new NodeHarness(dir, "test", 3);
        cluster.snapshotEntries = 50;
        cluster.startAll();
        long leader = cluster.awaitLeader();
        long down = leader == 3 ? 2 : 3;
        cluster.stop(down);
        for (int i = 0; i < 6000; i++) {
            cluster.node(leader).propose(CounterStateMachine.put("k" + (i % 100), "v" + i));
        }
        cluster.write(leader, "last", "done");
        // Every live node, not just the leader: leadership may move (a loaded machine), and a
        // new leader that still held the old entries would catch the follower up from its log.
        await().atMost(Duration.ofSeconds(30)).until(() ->
                cluster.nodes.values().stream().allMatch(n -> n.store().firstIndex() > 100));
        cluster.start(down);
        // Both in one await: the store shows the data as soon as the install swapped it in,
        // a moment before the node counts the install.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertEquals("done", cluster.read(down, "last"));
            assertTrue(cluster.node(down).snapshotsInstalled() >= 1, "the follower caught up by snapshot");
        });
        // The snapshot was a checkpoint made for it, at the index applied by then, past the one
        // the leader recorded: entries after it came from the log, none applied twice or skipped.
        for (int k = 0; k < 100; k++) {
            assertEquals("v" + (5900 + k), cluster.read(down, "k" + k), "k" + k);
        }
    }

    @Test
    void aJoiningNodeIsAddedAsLearnerCatchesUpIsPromotedAndRemoved() throws Exception {
        cluster = new NodeHarness(dir, "test", 3);
        cluster.startAll();
        long leader = cluster.awaitLeader();
        for (int i = 0; i < 100; i++) {
            cluster.node(leader).propose(CounterStateMachine.put("k" + i, "v" + i));
        }
        cluster.write(leader, "before-join", "1");
        cluster.reserve(4);
        cluster.start(4, true);
        cluster.node(leader).addMember(4, cluster.addresses.get(4L), true).get(10, TimeUnit.SECONDS);
        // Once the add completes, the status shows the new member together with its address.
        NodeStatus added = cluster.node(leader).status();
        assertTrue(added.learners().contains(4L), added.toString());
        assertEquals(cluster.addresses.get(4L), added.members().get(4L), added.toString());
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertEquals("1", cluster.read(4, "before-join"), "the learner replays the log from the start");
            assertEquals("learner", cluster.node(4).status().role());
        });
        cluster.node(leader).promote(4).get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.node(4).status().voters().contains(4L));
        cluster.write(4, "via-new-voter", "2");
        long other = leader == 1 ? 2 : 1;
        cluster.node(leader).removeMember(other).get(10, TimeUnit.SECONDS);
        cluster.stop(other);
        long now = cluster.awaitLeader();
        cluster.write(now, "after-remove", "3");
        assertEquals(java.util.Set.of(1L, 2L, 3L, 4L).stream().filter(id -> id != other)
                .collect(java.util.stream.Collectors.toSet()), cluster.node(now).status().voters());
    }

    @Test
    void noNodeListsAMemberWithoutItsAddress() throws Exception {
        cluster = new NodeHarness(dir, "test", 3);
        cluster.startAll();
        long leader = cluster.awaitLeader();
        cluster.reserve(4);
        cluster.start(4, true);
        // Sample every node's status while the add commits and applies everywhere: a node's
        // membership and its address book change together, never one before the other.
        java.util.List<String> unaddressed = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean sampling = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (sampling.get()) {
                for (long id = 1; id <= 3; id++) {
                    NodeStatus s = cluster.node(id).status();
                    if ((s.learners().contains(4L) || s.voters().contains(4L)) && !s.members().containsKey(4L)) {
                        unaddressed.add(s.toString());
                    }
                }
                Thread.yield(); // the nodes share the test's cores
            }
        });
        sampler.start();
        try {
            cluster.node(leader).addMember(4, cluster.addresses.get(4L), true).get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10)).until(() -> java.util.stream.LongStream.rangeClosed(1, 3)
                    .allMatch(id -> cluster.node(id).status().members().containsKey(4L)));
        } finally {
            sampling.set(false);
            sampler.join(5_000);
        }
        assertTrue(unaddressed.isEmpty(), () -> "listed without its address: " + unaddressed.get(0));
    }

    @Test
    void aDataDirOfAnotherClusterIsRefused() throws Exception {
        cluster = new NodeHarness(dir, "alpha", 1);
        cluster.startAll();
        cluster.awaitLeader();
        cluster.close();
        NodeHarness other = new NodeHarness(dir, "beta", 1);
        other.addresses.putAll(cluster.addresses);
        StorageException e = assertThrows(StorageException.class, () -> other.start(1));
        assertTrue(e.getMessage().contains("alpha") && e.getMessage().contains("beta"), e.getMessage());
        other.close();
    }

    @Test
    void aNodeOfAnotherClusterCannotJoin() throws Exception {
        cluster = new NodeHarness(dir, "alpha", 3);
        cluster.start(1);
        cluster.start(2);
        cluster.awaitLeader();
        cluster.write(1, "x", "1");
        NodeHarness intruder = new NodeHarness(dir.resolve("intruder"), "beta", 3);
        intruder.addresses.putAll(cluster.addresses);
        intruder.start(3);
        try {
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() ->
                    intruder.read(3, "x") == null && intruder.node(3).status().leaderId() == 0);
        } finally {
            intruder.close();
        }
    }

    /** Throws an Error on the loop thread at node 1's next role or leader change, once armed. */
    private static final class FailingMetrics implements NodeMetrics {
        final AtomicBoolean armed = new AtomicBoolean();

        @Override
        public void softState(Role role, long leaderId) {
            if (armed.getAndSet(false)) {
                throw new OutOfMemoryError("Java heap space (thrown by the test)");
            }
        }
    }

    /**
     * An Error on a node's loop thread (an OutOfMemoryError while it reads log entries for a
     * follower, say) stops that node: it must not live on as a process whose loop is dead,
     * taking calls it never answers.
     */
    @Test
    void anErrorOnTheLoopStopsTheNodeSoItsCallersGetAnAnswerAndTheOthersServe() throws Exception {
        cluster = new NodeHarness(dir, "loop-failure", 3);
        FailingMetrics metrics = new FailingMetrics();
        cluster.nodes.put(1L, RaftNode.start(cluster.config(1, false), metrics, store -> new CounterStateMachine()));
        cluster.start(2);
        cluster.start(3);
        long leader = cluster.awaitLeaderKnownByAll();
        cluster.write(1, "before", "1");

        // Make node 1 see a leader change: it hands off leadership, or the leader hands it on.
        metrics.armed.set(true);
        if (leader == 1) {
            cluster.node(1).transferLeadership(2);
        } else {
            cluster.node(leader).transferLeadership(leader == 2 ? 3 : 2);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> !metrics.armed.get());

        // Every call on node 1 is answered, with an error that sends the caller elsewhere.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            CompletableFuture<byte[]> f = cluster.node(1).propose(CounterStateMachine.put("k", "v"));
            CompletionException e = assertThrows(CompletionException.class,
                    () -> f.orTimeout(2, TimeUnit.SECONDS).join());
            assertInstanceOf(NotLeaderException.class, e.getCause(), e.getCause().toString());
            assertEquals(0, ((NotLeaderException) e.getCause()).leaderId(), "a stopped node knows no leader");
        });
        // The two others still make a quorum and serve.
        long survivor = cluster.node(2) != null ? 2 : 3;
        cluster.write(survivor, "after", "2");
        assertEquals("2", cluster.read(survivor, "after"));
    }
}
