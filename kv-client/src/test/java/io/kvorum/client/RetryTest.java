package io.kvorum.client;

import static io.kvorum.client.TestClients.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.client.fake.FakeCluster;
import io.kvorum.client.fake.FakeNode;
import io.kvorum.proto.v1.RequestHeader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Retries, failover, leader hints and exactly-once writes, against fake nodes that fail on cue. */
class RetryTest {
    private FakeCluster cluster;

    @BeforeEach
    void setUp() throws Exception {
        cluster = new FakeCluster(3);
    }

    @AfterEach
    void tearDown() throws Exception {
        cluster.close();
    }

    @Test
    void aWriteWhoseReplyIsLostIsRetriedWithTheSameSequenceAndAppliedOnce() {
        for (FakeNode n : cluster.nodes) {
            n.loseReplies.set(1); // whichever node gets the first attempt applies it and "loses" the answer
        }
        try (KvorumClient client = TestClients.of(cluster)) {
            CreateResult r = client.create("/once-", bytes("x"), CreateMode.PERSISTENT_SEQUENTIAL);
            assertEquals("/once-0000000000", r.path(), "the retry got the first attempt's answer");
            assertEquals(1, cluster.state.executedWrites.get(), "applied once");
            assertTrue(cluster.state.dedupedWrites.get() >= 1, "the retry was answered from the dedupe table");
            List<RequestHeader> headers = cluster.state.writeHeaders;
            assertTrue(headers.size() >= 2);
            for (RequestHeader h : headers) {
                assertEquals(client.clientId(), h.getClientId());
                assertEquals(headers.get(0).getSequence(), h.getSequence(), "every attempt carries the same sequence");
            }
            assertEquals(1, cluster.state.paths().stream().filter(p -> p.startsWith("/once-")).count());
        }
    }

    @Test
    void sequencesIncreaseAndLowestUnansweredTracksTheOldestWriteInFlight() throws Exception {
        try (KvorumClient client = TestClients.of(cluster)) {
            client.create("/s1", bytes(""));
            client.create("/s2", bytes(""));
            List<RequestHeader> h = cluster.state.writeHeaders;
            assertEquals(h.get(0).getSequence() + 1, h.get(1).getSequence());
            // Nothing else in flight: each write says all before it are answered.
            assertEquals(h.get(1).getSequence(), h.get(1).getLowestUnansweredSequence());

            // A write stuck on a hung node holds the floor down for the writes after it.
            for (FakeNode n : cluster.nodes) {
                n.hang = true;
            }
            CompletableFuture<CreateResult> stuck = client.async().create("/stuck", bytes(""), CreateMode.PERSISTENT,
                    RequestOptions.deadline(Duration.ofSeconds(3)));
            Thread.sleep(100);
            for (FakeNode n : cluster.nodes) {
                n.hang = false;
            }
            client.create("/s3", bytes(""));
            stuck.get();
            RequestHeader s3 = cluster.state.writeHeaders.stream()
                    .filter(x -> x.getSequence() == h.get(1).getSequence() + 2).findFirst().orElseThrow();
            assertEquals(h.get(1).getSequence() + 1, s3.getLowestUnansweredSequence());
        }
    }

    @Test
    void aStoppedNodeIsSkippedAndCallsFailOver() throws Exception {
        cluster.node(0).stop();
        try (KvorumClient client = TestClients.of(cluster)) {
            for (int i = 0; i < 20; i++) {
                client.create("/f" + i, bytes(""));
            }
            assertEquals(20, cluster.state.executedWrites.get());
        }
    }

    @Test
    void aNoLeaderAnswerSendsTheNextAttemptToTheNamedLeader() {
        FakeNode leader = cluster.node(2);
        cluster.node(0).noLeaderHint = leader.address();
        cluster.node(1).noLeaderHint = leader.address();
        // One copy per read, so the count is exact (a hedge would add a second).
        try (KvorumClient client = TestClients.builder(cluster).endpointPolicy(EndpointPolicy.ROUND_ROBIN)
                .hedgeReads(false).build()) {
            for (int i = 0; i < 10; i++) {
                client.get("/");
            }
            assertEquals(10, leader.unaryCalls.get(), "every call ended at the leader");
            assertTrue(cluster.node(0).unaryCalls.get() + cluster.node(1).unaryCalls.get() > 0);
        }
    }

    @Test
    void aHungNodeCostsOneAttemptTimeoutNotTheDeadline() {
        FakeNode hung = cluster.node(0);
        hung.hang = true;
        // Without hedged reads, so the attempt times out (OutlierEjectionTest covers hedges).
        try (KvorumClient client = TestClients.builder(cluster).attemptTimeout(Duration.ofMillis(300)).hedgeReads(false)
                .endpointBackoff(Duration.ofSeconds(10), Duration.ofSeconds(10)).build()) {
            for (int i = 0; i < 6; i++) {
                client.get("/", RequestOptions.deadline(Duration.ofSeconds(2)));
            }
            // One attempt timed out there; then it sat in backoff while the others served.
            assertEquals(1, hung.unaryCalls.get());
        }
    }

    @Test
    void everyEndpointDownFailsEachCallWithinItsDeadlineThenRecoversByItself() throws Exception {
        try (KvorumClient client = TestClients.of(cluster)) {
            client.create("/before", bytes(""));
            cluster.stopAll();
            Duration deadline = Duration.ofMillis(800);
            for (int i = 0; i < 3; i++) {
                long start = System.nanoTime();
                ClusterUnavailableException e = assertThrows(ClusterUnavailableException.class,
                        () -> client.get("/before", RequestOptions.deadline(deadline)));
                long millis = (System.nanoTime() - start) / 1_000_000;
                // Decided within the deadline; the slack is for waking this thread on a busy machine.
                assertTrue(millis <= deadline.toMillis() + 300, "failed after " + millis + " ms");
                assertTrue(e.getMessage().contains("unreachable"), e.getMessage());
                assertEquals(List.of(cluster.addresses()).stream().sorted().toList(),
                        e.endpointsTried().stream().sorted().toList());
            }
            ClusterUnavailableException w = assertThrows(ClusterUnavailableException.class,
                    () -> client.create("/during", bytes(""), CreateMode.PERSISTENT, RequestOptions.deadline(deadline)));
            assertTrue(w.getMessage().contains("unreachable"));

            cluster.startAll();
            long start = System.nanoTime();
            NodeData d = client.get("/before", RequestOptions.deadline(Duration.ofSeconds(5)));
            assertEquals("/before", d.path());
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < 5000, "recovered after " + millis + " ms");
        }
    }

    @Test
    void answersAreNotRetried() {
        try (KvorumClient client = TestClients.of(cluster)) {
            client.create("/dup", bytes(""));
            int before = totalCalls();
            assertThrows(NodeExistsException.class, () -> client.create("/dup", bytes("")));
            assertEquals(before + 1, totalCalls());
        }
    }

    @Test
    void concurrentWritesEachApplyOnceUnderLostReplies() throws Exception {
        for (FakeNode n : cluster.nodes) {
            n.loseReplies.set(5);
        }
        try (KvorumClient client = TestClients.of(cluster)) {
            List<CompletableFuture<CreateResult>> fs = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                fs.add(client.async().create("/c" + i, bytes("")));
            }
            for (CompletableFuture<CreateResult> f : fs) {
                f.get();
            }
            assertEquals(50, cluster.state.executedWrites.get());
        }
    }

    @Test
    void cancellingACallStopsItsRetries() throws Exception {
        for (FakeNode n : cluster.nodes) {
            n.hang = true;
        }
        // One copy of the read (OutlierEjectionTest covers cancelling a hedged one).
        try (KvorumClient client = TestClients.builder(cluster).hedgeReads(false).build()) {
            CompletableFuture<NodeData> f = client.async().get("/", RequestOptions.deadline(Duration.ofSeconds(3)));
            Thread.sleep(100);
            f.cancel(true);
            int calls = totalCalls();
            Thread.sleep(1200); // past two attempt timeouts: a live retry loop would have tried again
            assertEquals(calls, totalCalls());
        } finally {
            for (FakeNode n : cluster.nodes) {
                n.hang = false;
            }
        }
    }

    /** Calls the client routed (not its health probes of nodes it left out, nor status calls). */
    private int totalCalls() {
        return cluster.nodes.stream().mapToInt(n -> n.unaryCalls.get() - n.probeCalls.get() - n.statusCalls.get())
                .sum();
    }
}
