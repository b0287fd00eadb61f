package io.kvorum.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.client.fake.FakeCluster;
import io.kvorum.client.fake.FakeNode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Endpoint policies and health: who gets the calls. */
class EndpointRoutingTest {
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
    void roundRobinSpreadsCallsEvenly() {
        try (KvorumClient client = TestClients.of(cluster)) {
            for (int i = 0; i < 30; i++) {
                client.get("/");
            }
        }
        for (FakeNode n : cluster.nodes) {
            assertEquals(10, n.unaryCalls.get());
        }
    }

    @Test
    void weightedSpreadsCallsByWeight() {
        String[] a = cluster.addresses();
        // Exact counts: no hedged second copies of slow reads.
        KvorumClientBuilder b = KvorumClient.builder().hedgeReads(false).endpoints(Endpoint.of(a[0]).withWeight(6),
                Endpoint.of(a[1]).withWeight(3), Endpoint.of(a[2]).withWeight(1)).endpointPolicy(EndpointPolicy.WEIGHTED);
        try (KvorumClient client = b.build()) {
            for (int i = 0; i < 100; i++) {
                client.get("/");
            }
        }
        assertEquals(60, cluster.node(0).unaryCalls.get());
        assertEquals(30, cluster.node(1).unaryCalls.get());
        assertEquals(10, cluster.node(2).unaryCalls.get());
    }

    @Test
    void preferLocalUsesTheOwnDatacenterAndFailsOverWhenItIsDown() throws Exception {
        String[] a = cluster.addresses();
        KvorumClientBuilder b = KvorumClient.builder().hedgeReads(false)
                .endpoints(Endpoint.of(a[0]).inDatacenter("east"), Endpoint.of(a[1]).inDatacenter("west"),
                        Endpoint.of(a[2]).inDatacenter("west"))
                .endpointPolicy(EndpointPolicy.PREFER_LOCAL).localDatacenter("west")
                .endpointBackoff(Duration.ofSeconds(5), Duration.ofSeconds(5));
        try (KvorumClient client = b.build()) {
            for (int i = 0; i < 20; i++) {
                client.get("/");
            }
            assertEquals(0, cluster.node(0).unaryCalls.get());
            assertEquals(10, cluster.node(1).unaryCalls.get());
            assertEquals(10, cluster.node(2).unaryCalls.get());

            cluster.node(1).stop();
            cluster.node(2).stop();
            for (int i = 0; i < 5; i++) {
                client.get("/");
            }
            assertEquals(5, cluster.node(0).unaryCalls.get(), "failed over to the other datacenter");
        }
    }

    @Test
    void aFailedEndpointIsSkippedForItsBackoffPeriodThenTriedAgain() throws Exception {
        FakeNode down = cluster.node(0);
        down.stop();
        KvorumClientBuilder b = TestClients.builder(cluster).endpointBackoff(Duration.ofMillis(400),
                Duration.ofMillis(400));
        try (KvorumClient client = b.build()) {
            for (int i = 0; i < 12; i++) {
                client.get("/");
            }
            assertEquals(0, down.unaryCalls.get());
            down.start();
            // Once its backoff is over and the background probe reconnected it, it serves again.
            await().atMost(Duration.ofSeconds(5)).until(() -> {
                client.get("/");
                return down.unaryCalls.get() >= 3;
            });
        }
    }

    @Test
    void registryPicksTheSoonestRecoveringEndpointWhenAllAreInBackoff() {
        Backoff backoff = new Backoff(Duration.ofSeconds(10), Duration.ofSeconds(10));
        EndpointRegistry r = new EndpointRegistry(List.of(Endpoint.of("h1:1"), Endpoint.of("h2:1")),
                EndpointPolicy.ROUND_ROBIN, null, address -> null, backoff, null, null);
        EndpointState first = r.configured().get(0);
        EndpointState second = r.configured().get(1);
        first.failed();
        second.failed();
        second.failed();
        EndpointState pick = r.pick(null);
        assertNotEquals(null, pick);
        assertTrue(pick.nextProbeNanos() <= (pick == first ? second : first).nextProbeNanos());
    }
}
