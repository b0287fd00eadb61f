package io.kvorum.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.client.fake.FakeCluster;
import io.kvorum.client.fake.FakeNode;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A node that failed is left out of routing until a probe says it can serve again: a hung or
 * cut-off node costs each client one failed attempt, not one per backoff period.
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
        return n.unaryCalls.get() - n.statusCalls.get();
    }

    @Test
    void aHungNodeIsLeftAloneWhileItsProbesFailAndUsedAgainOnceOneSucceeds() {
        FakeNode hung = cluster.node(0);
        hung.hang = true;
        // Short backoff: without probes gating its return the node would get calls again every ~100 ms.
        try (KvorumClient client = TestClients.builder(cluster).attemptTimeout(Duration.ofMillis(300))
                .endpointBackoff(Duration.ofMillis(100), Duration.ofMillis(200)).build()) {
            client.get("/"); // round robin starts at the hung node: one attempt times out there
            await().atMost(Duration.ofSeconds(5)).until(() -> hung.statusCalls.get() >= 3); // probes failed
            for (int i = 0; i < 30; i++) {
                client.get("/");
            }
            assertEquals(1, kvCalls(hung), "only the first call went to the hung node");

            hung.hang = false;
            await().atMost(Duration.ofSeconds(5)).until(() -> {
                client.get("/");
                return kvCalls(hung) > 1;
            });
        }
    }

    @Test
    void aNodeWithoutALeaderIsLeftAloneUntilItHasOneAgain() {
        FakeNode cutOff = cluster.node(0);
        cutOff.noLeaderHint = "";
        try (KvorumClient client = TestClients.builder(cluster)
                .endpointBackoff(Duration.ofMillis(100), Duration.ofMillis(200)).build()) {
            client.get("/");
            await().atMost(Duration.ofSeconds(5)).until(() -> cutOff.statusCalls.get() >= 3);
            for (int i = 0; i < 30; i++) {
                client.get("/");
            }
            assertEquals(1, kvCalls(cutOff), "only the first call went to the node without a leader");

            cutOff.noLeaderHint = null;
            await().atMost(Duration.ofSeconds(5)).until(() -> {
                client.get("/");
                return kvCalls(cutOff) > 1;
            });
        }
    }

    @Test
    void aProbeNeedsTheNodeToKnowALeader() throws Exception {
        FakeNode node = cluster.node(0);
        node.stop();
        cluster.state.leaderId = 0;
        try (KvorumClient client = TestClients.builder(cluster)
                .endpointBackoff(Duration.ofMillis(100), Duration.ofMillis(200)).build()) {
            client.get("/");
            assertTrue(client.core().endpoints.configured().get(0).consecutiveFailures() > 0);
            node.start();
            await().atMost(Duration.ofSeconds(5)).until(() -> node.statusCalls.get() >= 2); // answered, no leader
            assertTrue(client.core().endpoints.configured().get(0).consecutiveFailures() > 0, "still ejected");
            cluster.state.leaderId = 1;
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> client.core().endpoints.configured().get(0).consecutiveFailures() == 0);
        }
    }
}
