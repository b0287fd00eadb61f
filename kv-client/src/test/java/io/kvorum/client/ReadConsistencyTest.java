package io.kvorum.client;

import static io.kvorum.client.TestClients.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.client.fake.FakeCluster;
import io.kvorum.client.fake.FakeNode;
import org.junit.jupiter.api.Test;

/** Serializable reads carry the highest revision the client saw, so it never goes back in time. */
class ReadConsistencyTest {
    @Test
    void serializableReadsCarryTheHighestRevisionSeen() throws Exception {
        try (FakeCluster cluster = new FakeCluster(3); KvorumClient client = TestClients.of(cluster)) {
            long rev = client.create("/r", bytes("v")).revision();
            client.get("/r", RequestOptions.serializable());
            long carried = cluster.nodes.stream().flatMap(n -> n.minRevisions.stream()).findFirst().orElseThrow();
            assertEquals(rev, carried);
            assertTrue(client.lastSeenRevision() >= rev);
        }
    }

    @Test
    void aLinearizableReadCarriesNoMinRevision() throws Exception {
        try (FakeCluster cluster = new FakeCluster(1); KvorumClient client = TestClients.of(cluster)) {
            client.create("/r", bytes("v"));
            client.get("/r");
            assertTrue(cluster.node(0).minRevisions.isEmpty());
        }
    }

    @Test
    void aNodeBehindTheClientIsNotAllowedToAnswerWithAnOlderState() throws Exception {
        try (FakeCluster cluster = new FakeCluster(3); KvorumClient client = TestClients.of(cluster)) {
            long rev = client.create("/r", bytes("v")).revision();
            FakeNode behind = cluster.node(0);
            behind.lagRevision.set(rev - 1); // it would wait for min_revision; the fake times out instead
            for (int i = 0; i < 6; i++) {
                assertEquals("v", client.get("/r", RequestOptions.serializable()).dataAsString());
            }
        }
    }
}
