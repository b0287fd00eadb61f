package io.kvorum.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.client.fake.FakeCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The API as a new user writes it: each convenience does what its name says. */
class ClientApiTest {
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
    void endpointsComeAsAListOrOneCommaSeparatedString() {
        String[] a = cluster.addresses();
        try (KvorumClient fromList = KvorumClient.builder().endpoints(List.of(a))
                     .defaultDeadline(Duration.ofSeconds(30)).build();
             KvorumClient fromString = KvorumClient.builder().endpoints(String.join(",", a))
                     .defaultDeadline(Duration.ofSeconds(30)).build()) {
            assertEquals(List.of(a), fromList.endpoints());
            assertEquals(List.of(a), fromString.endpoints());
            fromString.create("/via-string", "ok");
            assertEquals("ok", fromList.get("/via-string").dataAsString());
        }
        assertThrows(IllegalArgumentException.class, () -> KvorumClient.builder().endpoints(a[0] + ",,"));
    }

    @Test
    void textDataAndAnyVersion() {
        client.create("/t", "héllo");
        assertEquals("héllo", client.get("/t").dataAsString());
        client.set("/t", "again");
        client.set("/t", "any".getBytes(StandardCharsets.UTF_8), KvorumClient.ANY_VERSION);
        assertEquals(2, client.get("/t").stat().version());
        client.async().set("/t", "async").join();
        assertEquals("async", client.get("/t").dataAsString());
        client.delete("/t", KvorumClient.ANY_VERSION);
        assertFalse(client.exists("/t").isPresent());
    }

    @Test
    void valuesCompareTheirDataByContent() {
        client.create("/v", "same");
        NodeData first = client.get("/v");
        NodeData second = client.get("/v");
        assertEquals(first, second);
        assertEquals(first.hashCode(), second.hashCode());
        assertTrue(first.toString().contains("data=\"same\""), first.toString());
        assertEquals(Set.of(first), Set.of(second));

        assertEquals(Op.create("/a", "x"), Op.create("/a", "x".getBytes(StandardCharsets.UTF_8)));
        assertNotEquals(Op.create("/a", "x"), Op.create("/a", "y"));
        assertEquals(Op.set("/a", "x", 1), Op.set("/a", "x", 1));
        assertTrue(Op.set("/a", new byte[] {0, (byte) 0xff}, 1).toString().contains("2 bytes 0x00ff"));

        WatchEvent e1 = new WatchEvent(WatchEvent.Type.CHANGED, "/v", "d".getBytes(StandardCharsets.UTF_8), null, 5);
        WatchEvent e2 = new WatchEvent(WatchEvent.Type.CHANGED, "/v", "d".getBytes(StandardCharsets.UTF_8), null, 5);
        assertEquals(e1, e2);
        assertEquals(e1.hashCode(), e2.hashCode());
    }

    @Test
    void theBlockingAndAsyncApisOfferTheSameCalls() {
        client.ensurePath("/p/q", RequestOptions.deadline(Duration.ofSeconds(2)));
        client.create("/p/r", "r");
        List<ChildrenPage.Child> blocking = client.childrenWithStats("/p");
        List<ChildrenPage.Child> async = client.async().childrenWithStats("/p").join();
        assertEquals(List.of("q", "r"), blocking.stream().map(ChildrenPage.Child::name).toList());
        assertEquals(blocking.stream().map(ChildrenPage.Child::name).toList(),
                async.stream().map(ChildrenPage.Child::name).toList());
        assertEquals(1, blocking.get(1).stat().dataLength());

        List<WatchEvent> seen = new CopyOnWriteArrayList<>();
        Watch w = client.async().watch("/p/r", seen::add).join();
        client.set("/p/r", "changed");
        await().atMost(Duration.ofSeconds(10)).until(() -> !seen.isEmpty());
        w.cancel();
        assertEquals("changed", new String(seen.get(0).data(), StandardCharsets.UTF_8));
    }

    @Test
    void deleteRecursiveRemovesASubtreeAndToleratesAMissingOne() {
        client.ensurePath("/r/a/b");
        client.create("/r/c", "c");
        client.deleteRecursive("/r");
        assertFalse(client.exists("/r").isPresent());
        client.deleteRecursive("/r");                      // already gone: nothing to do
        client.ensurePath("/s/t");
        client.async().deleteRecursive("/s").join();
        assertFalse(client.exists("/s").isPresent());
    }

    @Test
    void errorsCarryTheReasonAsAnEnumAndAsSent() {
        client.create("/e", "");
        NodeExistsException e = assertThrows(NodeExistsException.class, () -> client.create("/e", ""));
        assertEquals(KvorumException.Reason.NODE_EXISTS, e.reason());
        assertEquals("NODE_EXISTS", e.reasonName());

        KvorumException newer = new KvorumException("from a newer server", null, "QUOTA_EXCEEDED", "/e", -1);
        assertEquals(KvorumException.Reason.UNKNOWN, newer.reason());
        assertEquals("QUOTA_EXCEEDED", newer.reasonName());
        assertEquals(KvorumException.Reason.NONE, new KvorumException("local").reason());
    }

    @Test
    void rolesAreAnEnumThatToleratesNewNames() {
        assertEquals(Role.LEADER, Role.of("leader"));
        assertEquals(Role.UNKNOWN, Role.of(""));
        assertEquals(Role.UNKNOWN, Role.of("witness"));
        assertEquals("follower", Role.FOLLOWER.toString());
    }
}
