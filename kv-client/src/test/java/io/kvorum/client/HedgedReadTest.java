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
 * A read whose node hangs is sent to a second node after the hedge delay and answered there;
 * the copy held by the hung node is cancelled, and a node that loses two hedges in a row is left
 * out of routing until a probe succeeds.
 */
class HedgedReadTest {
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
