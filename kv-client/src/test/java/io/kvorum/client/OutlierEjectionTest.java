package io.kvorum.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.client.fake.FakeCluster;
import io.kvorum.client.fake.FakeNode;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A node that failed is left out of routing until a probe says it can serve again: a hung or
 * cut-off node costs each client one failed attempt, not one per backoff period. A read whose
 * node hangs is sent to a second node after the hedge delay and answered there; the copy held by
 * the hung node is cancelled, and a node that loses two hedges in a row is left out too.
 */
class OutlierEjectionTest {
    private FakeCluster cluster;

    @BeforeEach
    void setUp() throws Exception {
        cluster = new FakeCluster(3);
    }

    @AfterEach
    void tearDown() throws Exception {
        cluster.close();
    }

    private static int kvCalls(FakeNode n) {
        return n.unaryCalls.get() - n.statusCalls.get() - n.probeCalls.get();
    }

    /**
     * The first call goes to {@code node} (round robin starts there) and fails; while the node's
     * probes fail it gets no more calls; once {@code heal} ran, a probe passes and it gets calls again.
     * Short backoff: without probes gating its return the node would get calls again every ~100 ms.
     * A 1 s attempt timeout: the healthy nodes must not time out too on a loaded machine.
     */
    private void leftAloneWhileItsProbesFail(FakeNode node, boolean hedgeReads, String what, Runnable heal) {
        try (KvorumClient client = TestClients.builder(cluster).attemptTimeout(Duration.ofSeconds(1))
                .hedgeReads(hedgeReads).defaultDeadline(Duration.ofSeconds(10))
                .endpointBackoff(Duration.ofMillis(100), Duration.ofMillis(200)).build()) {
            client.get("/");
            await().atMost(Duration.ofSeconds(15)).until(() -> node.probeCalls.get() >= 3); // probes failed
            for (int i = 0; i < 30; i++) {
                client.get("/");
            }
            assertEquals(1, kvCalls(node), "only the first call went to " + what);

            heal.run();
            await().atMost(Duration.ofSeconds(15)).until(() -> {
                client.get("/");
                return kvCalls(node) > 1;
            });
        }
    }

    @Test
    void aHungNodeIsLeftAloneWhileItsProbesFailAndUsedAgainOnceOneSucceeds() {
        FakeNode hung = cluster.node(0);
        hung.hang = true;
        // Without hedged reads, so the attempt times out (the hedge tests below cover hedges).
        leftAloneWhileItsProbesFail(hung, false, "the hung node", () -> hung.hang = false);
    }

    /**
     * A node that hears its leader but cannot reach it (a one-way partition) does not know it is
     * cut off: it holds each call and answers DEADLINE_EXCEEDED itself just before the attempt's
     * deadline. That answer stands for the attempt timing out, so the node is left out like a
     * hung one; were it kept in routing, every few calls would wait there the whole attempt.
     */
    @Test
    void aNodeThatTimesCallsOutItselfIsLeftAloneWhileItsProbesFail() {
        FakeNode cutOff = cluster.node(0);
        cutOff.timeOutAtDeadline = true;
        leftAloneWhileItsProbesFail(cutOff, false, "the node that times calls out",
                () -> cutOff.timeOutAtDeadline = false);
    }

    @Test
    void aNodeWithoutALeaderIsLeftAloneUntilItHasOneAgain() {
        FakeNode cutOff = cluster.node(0);
        cutOff.noLeaderHint = "";
        leftAloneWhileItsProbesFail(cutOff, true, "the node without a leader", () -> cutOff.noLeaderHint = null);
    }

    @Test
    void readsCompleteWhileANodeHoldsThemAndTheHeldCopiesAreCancelled() {
        FakeNode hung = cluster.node(0);
        hung.hang = true;
        // An attempt timeout of a minute: without a hedge, the first read (round robin starts at
        // the hung node) would wait that long; 30 s bounds the whole loop far below it.
        try (KvorumClient client = TestClients.builder(cluster).attemptTimeout(Duration.ofSeconds(60))
                .defaultDeadline(Duration.ofSeconds(120)).endpointBackoff(Duration.ofSeconds(5), Duration.ofSeconds(5))
                .build()) {
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                for (int i = 0; i < 12; i++) {
                    assertEquals("/", client.get("/").path());
                }
            });
            assertTrue(kvCalls(hung) >= 1, "the first read went to the hung node");
            assertTrue(kvCalls(hung) <= 2, "two lost hedges leave the node out; it got " + kvCalls(hung));
            await().atMost(Duration.ofSeconds(15)).until(() -> hung.heldCallsCancelled.get() == kvCalls(hung));
        }
    }

    @Test
    void anAnswerFromTheClusterWinsEvenWhenItIsAnError() {
        FakeNode hung = cluster.node(0);
        hung.hang = true;
        try (KvorumClient client = TestClients.builder(cluster).attemptTimeout(Duration.ofSeconds(60))
                .defaultDeadline(Duration.ofSeconds(120)).build()) {
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                assertThrows(NoNodeException.class, () -> client.get("/missing"));
            });
            assertEquals(1, kvCalls(hung));
        }
    }
}
