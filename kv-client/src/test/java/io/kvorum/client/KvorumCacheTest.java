package io.kvorum.client;

import static io.kvorum.client.TestClients.bytes;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.client.fake.FakeCluster;
import io.kvorum.client.fake.FakeNode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Caches: an exact initial load, then every change, kept across compaction by reloading. */
class KvorumCacheTest {
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

    private static final class Recorder implements CacheListener {
        final List<CacheEvent> events = new CopyOnWriteArrayList<>();
        final AtomicBoolean initialized = new AtomicBoolean();

        @Override
        public void changed(CacheEvent event) {
            events.add(event);
        }

        @Override
        public void initialized() {
            initialized.set(true);
        }

        String summary() {
            StringBuilder b = new StringBuilder();
            for (CacheEvent e : events) {
                b.append(e.type()).append(' ').append(e.path()).append(';');
            }
            return b.toString();
        }
    }

    @Test
    void aTreeCacheLoadsTheSubtreeThenFollowsIt() {
        client.create("/t", bytes("root"));
        client.create("/t/a", bytes("a"));
        client.create("/t/a/deep", bytes("d"));
        client.create("/t/b", bytes("b"));
        client.create("/elsewhere", bytes(""));

        try (KvorumCache cache = client.treeCache("/t")) {
            Recorder r = new Recorder();
            cache.addListener(r);
            cache.start();
            assertTrue(cache.isInitialized());
            await().until(r.initialized::get);
            assertEquals(List.of("/t", "/t/a", "/t/a/deep", "/t/b"), List.copyOf(cache.snapshot().keySet()));
            assertEquals("d", cache.get("/t/a/deep").orElseThrow().dataAsString());
            assertEquals(List.of("/t/a", "/t/b"), cache.children("/t").stream().map(NodeData::path).toList());
            assertEquals("", r.summary(), "the initial contents are not reported as changes");

            client.create("/t/c", bytes("c"));
            client.set("/t/a", bytes("a2"));
            client.delete("/t/a/deep");
            client.create("/elsewhere/x", bytes(""));
            await().until(() -> r.events.size() == 3);
            assertEquals("CREATED /t/c;CHANGED /t/a;DELETED /t/a/deep;", r.summary());
            CacheEvent changed = r.events.get(1);
            assertEquals("a", changed.oldData().dataAsString());
            assertEquals("a2", changed.newData().dataAsString());
            assertEquals("a2", cache.get("/t/a").orElseThrow().dataAsString());
            assertTrue(cache.get("/t/a/deep").isEmpty());
        }
    }

    @Test
    void aNodeCacheFollowsOneNodeFromBeforeItExists() {
        try (KvorumCache cache = client.nodeCache("/n")) {
            Recorder r = new Recorder();
            cache.addListener(r);
            cache.start();
            assertTrue(cache.get("/n").isEmpty());
            client.create("/n", bytes("1"));
            client.create("/n/child", bytes("")); // not the node itself
            client.set("/n", bytes("2"));
            await().until(() -> r.events.size() == 2);
            assertEquals("CREATED /n;CHANGED /n;", r.summary());
            assertEquals("2", cache.get("/n").orElseThrow().dataAsString());
            assertEquals(1, cache.size());
        }
    }

    @Test
    void aCompactedWatchReloadsAndReportsTheDifferences() throws Exception {
        client.create("/t", bytes(""));
        client.create("/t/stay", bytes("s"));
        client.create("/t/change", bytes("1"));
        client.create("/t/go", bytes(""));
        try (KvorumCache cache = client.treeCache("/t")) {
            Recorder r = new Recorder();
            cache.addListener(r);
            cache.start();
            // Initialized may come before the watch reached a node (it starts after the load's revision).
            await().until(() -> cluster.nodes.stream().anyMatch(n -> n.watchCreates.get() > 0));
            FakeNode holder = cluster.nodes.stream().filter(n -> n.watchCreates.get() > 0).findFirst().orElseThrow();
            holder.partition(true);
            client.set("/t/change", bytes("2"));
            client.delete("/t/go");
            client.create("/t/new", bytes(""));
            cluster.state.compact(cluster.state.revision());
            await().atMost(Duration.ofSeconds(6)).until(() -> r.events.size() == 3);
            assertEquals(List.of("/t", "/t/change", "/t/new", "/t/stay"), List.copyOf(cache.snapshot().keySet()));
            assertEquals("2", cache.get("/t/change").orElseThrow().dataAsString());
            String s = r.summary();
            assertTrue(s.contains("DELETED /t/go;") && s.contains("CHANGED /t/change;") && s.contains("CREATED /t/new;"),
                    s);
            holder.partition(false);
            client.create("/t/after", bytes(""));
            await().until(() -> cache.get("/t/after").isPresent());
        }
    }

    @Test
    void changesDuringTheLoadEndInTheSameState() throws Exception {
        client.create("/t", bytes(""));
        for (int i = 0; i < 30; i++) {
            client.create("/t/n" + i, bytes("0"));
        }
        try (KvorumCache cache = client.treeCache("/t")) {
            Thread writer = new Thread(() -> {
                for (int i = 0; i < 30; i++) {
                    client.set("/t/n" + i, bytes("1"));
                    if (i % 3 == 0) {
                        client.delete("/t/n" + i);
                    }
                }
            });
            writer.start();
            cache.start();
            writer.join();
            await().untilAsserted(() -> {
                for (int i = 0; i < 30; i++) {
                    if (i % 3 == 0) {
                        assertTrue(cache.get("/t/n" + i).isEmpty(), "/t/n" + i);
                    } else {
                        assertEquals("1", cache.get("/t/n" + i).orElseThrow().dataAsString());
                    }
                }
            });
        }
    }
}
