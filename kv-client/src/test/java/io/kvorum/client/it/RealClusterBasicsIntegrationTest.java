package io.kvorum.client.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.client.BadVersionException;
import io.kvorum.client.CreateMode;
import io.kvorum.client.InvalidArgumentException;
import io.kvorum.client.KvorumCache;
import io.kvorum.client.KvorumClient;
import io.kvorum.client.NoNodeException;
import io.kvorum.client.NodeExistsException;
import io.kvorum.client.NotEmptyException;
import io.kvorum.client.Op;
import io.kvorum.client.OpResult;
import io.kvorum.client.RequestOptions;
import io.kvorum.client.Session;
import io.kvorum.client.WatchEvent;
import io.kvorum.client.WatchSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client against a real 3-node cluster: the API's answers are what the fakes promised. */
class RealClusterBasicsIntegrationTest {
    @TempDir
    static Path dir;
    static RealCluster cluster;
    static KvorumClient client;

    @BeforeAll
    static void start() throws Exception {
        cluster = new RealCluster(dir, 3).startAll();
        client = ItClients.of(cluster);
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void dataCallsAndTypedErrors() {
        client.create("/basics", b("v1"));
        assertEquals("v1", client.get("/basics").dataAsString());
        assertEquals(1, client.set("/basics", b("v2"), 0).version());
        assertThrows(BadVersionException.class, () -> client.set("/basics", b("v3"), 0));
        assertThrows(NodeExistsException.class, () -> client.create("/basics", b("")));
        assertThrows(NoNodeException.class, () -> client.get("/basics/none"));
        assertThrows(InvalidArgumentException.class, () -> client.create("/bad//path", b("")));
        client.create("/basics/kid", b(""));
        assertThrows(NotEmptyException.class, () -> client.delete("/basics"));
        assertEquals(List.of("kid"), client.children("/basics"));
        assertEquals("v2", client.get("/basics", RequestOptions.serializable()).dataAsString());
    }

    @Test
    void multiAppliesAllOrNothing() {
        client.create("/m", b(""));
        List<OpResult> r = client.multi(List.of(Op.create("/m/a", b("1")), Op.check("/m", 0),
                Op.set("/m", b("x"), 0)));
        assertTrue(r.get(0) instanceof OpResult.Created);
        BadVersionException e = assertThrows(BadVersionException.class,
                () -> client.multi(List.of(Op.create("/m/b", b("")), Op.check("/m", 0))));
        assertEquals(1, e.opIndex());
        assertFalse(client.exists("/m/b").isPresent());
    }

    @Test
    void ephemeralsGoWithTheirSession() {
        Session s = client.openSession(java.time.Duration.ofSeconds(2));
        client.create("/eph", b(""), CreateMode.EPHEMERAL, RequestOptions.session(s));
        assertEquals(s.id(), client.exists("/eph").orElseThrow().ephemeralOwner());
        s.close();
        assertFalse(client.exists("/eph").isPresent());
    }

    @Test
    void watchesAndCachesFollowChanges() {
        client.create("/wc", b(""));
        List<WatchEvent> events = new CopyOnWriteArrayList<>();
        client.watch(WatchSpec.subtree("/wc"), events::add);
        try (KvorumCache cache = client.treeCache("/wc")) {
            cache.start();
            client.create("/wc/a", b("1"));
            client.set("/wc/a", b("2"));
            await().until(() -> cache.get("/wc/a").map(d -> d.dataAsString().equals("2")).orElse(false));
            await().until(() -> events.stream().anyMatch(e -> e.type() == WatchEvent.Type.CHANGED));
            assertEquals(WatchEvent.Type.CREATED, events.get(0).type());
        }
    }
}
