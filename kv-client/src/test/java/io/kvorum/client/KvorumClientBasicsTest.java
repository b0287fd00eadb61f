package io.kvorum.client;

import static io.kvorum.client.TestClients.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.client.fake.FakeCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The data API against a fake cluster: results, typed errors, sessions for ephemerals. */
class KvorumClientBasicsTest {
    private FakeCluster cluster;
    private KvorumClient client;

    @BeforeEach
    void setUp() throws Exception {
        cluster = new FakeCluster(3);
        client = TestClients.of(cluster);
    }

    @AfterEach
    void tearDown() throws Exception {
        client.close();
        cluster.close();
    }

    @Test
    void createGetSetDeleteRoundTrip() {
        CreateResult created = client.create("/a", bytes("one"));
        assertEquals("/a", created.path());
        assertTrue(created.revision() > 0);

        NodeData read = client.get("/a");
        assertArrayEquals(bytes("one"), read.data());
        assertEquals(0, read.stat().version());

        Stat after = client.set("/a", bytes("two"), 0);
        assertEquals(1, after.version());
        assertEquals("two", client.get("/a").dataAsString());

        assertTrue(client.exists("/a").isPresent());
        client.delete("/a", 1);
        assertFalse(client.exists("/a").isPresent());
        assertTrue(client.lastSeenRevision() >= after.modRevision());
    }

    @Test
    void answersAreTypedExceptionsNamingThePath() {
        client.create("/x", bytes(""));
        NodeExistsException exists = assertThrows(NodeExistsException.class, () -> client.create("/x", bytes("")));
        assertEquals("/x", exists.path());
        assertEquals(KvorumException.Reason.NODE_EXISTS, exists.reason());

        NoNodeException none = assertThrows(NoNodeException.class, () -> client.get("/missing"));
        assertEquals("/missing", none.path());

        assertThrows(BadVersionException.class, () -> client.set("/x", bytes("v"), 7));
        client.create("/x/child", bytes(""));
        assertThrows(NotEmptyException.class, () -> client.delete("/x"));
        assertThrows(InvalidArgumentException.class, () -> client.create("bad//path", bytes("")));
        assertThrows(NoNodeException.class, () -> client.create("/no/parent", bytes("")));
    }

    @Test
    void asyncCallsFailTheFutureWithTheSameTypes() {
        CompletionException e = assertThrows(CompletionException.class, () -> client.async().get("/nope").join());
        assertTrue(e.getCause() instanceof NoNodeException, e.getCause().toString());
    }

    @Test
    void childrenArePagedThroughCompletely() {
        client.create("/p", bytes(""));
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            String name = String.format("c%02d", i);
            client.create("/p/" + name, bytes(""));
            expected.add(name);
        }
        assertEquals(expected, client.children("/p"));
        ChildrenPage first = client.childrenPage("/p", 10, "", true, RequestOptions.DEFAULT);
        assertEquals(10, first.children().size());
        assertTrue(first.hasNext());
        assertTrue(first.children().get(0).stat() != null);
        ChildrenPage second = client.childrenPage("/p", 10, first.nextPageToken(), false, RequestOptions.DEFAULT);
        assertEquals("c10", second.children().get(0).name());
    }

    @Test
    void ephemeralNodesBelongToTheClientsSessionAndGoWithIt() {
        CreateResult e = client.create("/eph", bytes("me"), CreateMode.EPHEMERAL);
        Session session = client.session();
        assertEquals(session.id(), e.stat().ephemeralOwner());
        CreateResult seq = client.create("/eph-seq-", bytes(""), CreateMode.EPHEMERAL_SEQUENTIAL);
        assertTrue(seq.path().matches("/eph-seq-\\d{10}"), seq.path());

        session.close();
        assertEquals(SessionState.CLOSED, session.state());
        assertFalse(cluster.state.has("/eph"));
        // The next ephemeral gets a new session.
        CreateResult again = client.create("/eph", bytes("me"), CreateMode.EPHEMERAL);
        assertTrue(again.stat().ephemeralOwner() != session.id());
    }

    @Test
    void ensurePathCreatesMissingAncestorsOnly() {
        client.create("/a", bytes("keep"));
        client.ensurePath("/a/b/c");
        assertTrue(cluster.state.has("/a/b/c"));
        assertEquals("keep", client.get("/a").dataAsString());
        client.ensurePath("/a/b/c"); // idempotent
    }

    @Test
    void ttlModesNeedATtl() {
        assertThrows(InvalidArgumentException.class,
                () -> client.create("/t", bytes(""), CreateMode.PERSISTENT_WITH_TTL));
    }
}
