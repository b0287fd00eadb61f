package io.kvorum.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
        return n.unaryCalls.get() - n.statusCalls.get() - n.probeCalls.get();
    }

    @Test
    void aHungNodeIsLeftAloneWhileItsProbesFailAndUsedAgainOnceOneSucceeds() {
        FakeNode hung = cluster.node(0);
        hung.hang = true;
        // Short backoff: without probes gating its return the node would get calls again every ~100 ms.
        // A 1 s attempt timeout: the healthy nodes must not time out too on a loaded machine.
        // Without hedged reads, so the attempt times out (HedgedReadTest covers hedges).
        try (KvorumClient client = TestClients.builder(cluster).attemptTimeout(Duration.ofSeconds(1)).hedgeReads(false)
                .defaultDeadline(Duration.ofSeconds(10))
                .endpointBackoff(Duration.ofMillis(100), Duration.ofMillis(200)).build()) {
            client.get("/"); // round robin starts at the hung node: one attempt times out there
            await().atMost(Duration.ofSeconds(15)).until(() -> hung.probeCalls.get() >= 3); // probes failed
            for (int i = 0; i < 30; i++) {
                client.get("/");
            }
            assertEquals(1, kvCalls(hung), "only the first call went to the hung node");

            hung.hang = false;
            await().atMost(Duration.ofSeconds(15)).until(() -> {
                client.get("/");
                return kvCalls(hung) > 1;
            });
        }
    }

    @Test
    void aNodeWithoutALeaderIsLeftAloneUntilItHasOneAgain() {
        FakeNode cutOff = cluster.node(0);
        cutOff.noLeaderHint = "";
        try (KvorumClient client = TestClients.builder(cluster).attemptTimeout(Duration.ofSeconds(1))
                .defaultDeadline(Duration.ofSeconds(10))
                .endpointBackoff(Duration.ofMillis(100), Duration.ofMillis(200)).build()) {
            client.get("/");
            await().atMost(Duration.ofSeconds(15)).until(() -> cutOff.probeCalls.get() >= 3);
            for (int i = 0; i < 30; i++) {
                client.get("/");
            }
            assertEquals(1, kvCalls(cutOff), "only the first call went to the node without a leader");

            cutOff.noLeaderHint = null;
            await().atMost(Duration.ofSeconds(15)).until(() -> {
                client.get("/");
                return kvCalls(cutOff) > 1;
            });
        }
    }
}
