package io.kvorum.client;

import static io.kvorum.client.TestClients.bytes;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.client.fake.Errs;
import io.kvorum.client.fake.FakeCluster;
import io.kvorum.client.fake.FakeNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Watches: ordered delivery, resumption across node failures without gaps or repeats, endings. */
class WatchTest {
    private FakeCluster cluster;
    private KvorumClient client;

    @BeforeEach
    void setUp() throws Exception {
        cluster = new FakeCluster(3);
        client = TestClients.of(cluster);
        client.create("/w", bytes(""));
    }

    @AfterEach
    void tearDown() throws Exception {
        client.close();
        cluster.close();
    }

    private static final class Recorder implements WatchListener {
        final List<WatchEvent> events = new CopyOnWriteArrayList<>();
        final AtomicReference<KvorumException> error = new AtomicReference<>();

        @Override
        public void onEvent(WatchEvent event) {
            events.add(event);
        }

        @Override
        public void onError(KvorumException e) {
            error.set(e);
        }

        List<String> created() {
            List<String> out = new ArrayList<>();
            for (WatchEvent e : events) {
                if (e.type() == WatchEvent.Type.CREATED) {
                    out.add(e.path());
                }
            }
            return out;
        }
    }

    @Test
    void aSubtreeWatchSeesEveryChangeInOrder() {
        Recorder r = new Recorder();
        client.watch(WatchSpec.subtree("/w"), r);
        client.create("/w/a", bytes("1"));
        client.set("/w/a", bytes("2"));
        client.delete("/w/a");
        await().until(() -> r.events.size() == 5); // and the CHILDREN_CHANGED of /w, twice
        List<WatchEvent.Type> types = r.events.stream().filter(e -> e.path().equals("/w/a")).map(WatchEvent::type)
                .toList();
        assertEquals(List.of(WatchEvent.Type.CREATED, WatchEvent.Type.CHANGED, WatchEvent.Type.DELETED), types);
        assertEquals("2", new String(r.events.get(2).data()));
        assertIncreasing(r.events);
    }

    @Test
    void aNodeWatchSeesTheNodeAndItsChildrenSetOnly() {
        Recorder r = new Recorder();
        client.watch("/w", r);
        client.create("/w/a", bytes(""));
        client.set("/w", bytes("x"));
        await().until(() -> r.events.size() == 2);
        assertEquals(WatchEvent.Type.CHILDREN_CHANGED, r.events.get(0).type());
        assertEquals(WatchEvent.Type.CHANGED, r.events.get(1).type());
    }

    @Test
    void aWatchResumesOnAnotherNodeWithoutGapsOrRepeats() throws Exception {
        Recorder r = new Recorder();
        long from = client.create("/w/0", bytes("")).revision();
        client.watch(WatchSpec.subtree("/w").fromRevision(from), r);
        await().until(() -> r.created().size() == 1);
        FakeNode holder = cluster.nodes.stream().filter(n -> n.watchCreates.get() > 0).findFirst().orElseThrow();

        holder.stop();
        for (int i = 1; i <= 20; i++) {
            client.create("/w/" + i, bytes(""));
        }
        holder.start();
        for (int i = 21; i <= 30; i++) {
            client.create("/w/" + i, bytes(""));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> r.created().size() == 31);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i <= 30; i++) {
            expected.add("/w/" + i);
        }
        assertEquals(expected, r.created());
        assertIncreasing(r.events);
        assertTrue(cluster.nodes.stream().filter(n -> n != holder).anyMatch(n -> n.watchCreates.get() > 0));
    }

    @Test
    void aWatchOnAPartitionedNodeMovesElsewhere() {
        Recorder r = new Recorder();
        client.watch(WatchSpec.subtree("/w"), r);
        client.create("/w/first", bytes(""));
        await().until(() -> r.created().size() == 1);
        FakeNode holder = cluster.nodes.stream().filter(n -> n.watchCreates.get() > 0).findFirst().orElseThrow();
        holder.partition(true);
        for (int i = 0; i < 5; i++) {
            client.create("/w/during" + i, bytes(""));
        }
        // The stream is silent and behind: the health check moves it within about two intervals.
        await().atMost(Duration.ofSeconds(4)).until(() -> r.created().size() == 6);
        assertIncreasing(r.events);
    }

    @Test
    void aWatchStreamEndedWithNoLeaderResumesElsewhereAndThatNodeIsLeftOut() throws Exception {
        // No health checks in this test's time: only the node's NO_LEADER can move the stream.
        try (KvorumClient c = TestClients.builder(cluster).watchCheckInterval(Duration.ofMinutes(5)).build()) {
            Recorder r = new Recorder();
            c.watch(WatchSpec.subtree("/w"), r);
            client.create("/w/first", bytes(""));
            await().until(() -> r.created().size() == 1);
            FakeNode holder = cluster.nodes.stream().filter(n -> n.watchCreates.get() > 0).findFirst().orElseThrow();
            holder.partition(true);
            holder.endWatchStreams(Errs.noLeader(null));
            for (int i = 0; i < 5; i++) {
                client.create("/w/during" + i, bytes(""));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> r.created().size() == 6);
            assertIncreasing(r.events);
            // Ejected like a unary call's NO_LEADER: probed until it is in touch again.
            await().atMost(Duration.ofSeconds(10)).until(() -> holder.probeCalls.get() > 0);
        }
    }

    @Test
    void aCompactedStartRevisionEndsTheWatchWithCompactedException() {
        for (int i = 0; i < 5; i++) {
            client.create("/w/c" + i, bytes(""));
        }
        cluster.state.compact(4);
        Recorder r = new Recorder();
        CompactedException e = assertThrows(CompactedException.class,
                () -> client.watch(WatchSpec.subtree("/w").fromRevision(2), r));
        assertEquals(4, e.compactRevision());
        assertEquals(null, r.error.get(), "a watch refused at its start is reported once, by the call");
    }

    @Test
    void aCompactionWhileTheStreamIsStuckReachesTheListener() throws Exception {
        Recorder r = new Recorder();
        client.watch(WatchSpec.subtree("/w").fromRevision(client.lastSeenRevision() + 1), r);
        client.create("/w/a", bytes(""));
        await().until(() -> r.created().size() == 1);
        FakeNode holder = cluster.nodes.stream().filter(n -> n.watchCreates.get() > 0).findFirst().orElseThrow();
        holder.partition(true); // its stream hears nothing until the health check moves it
        for (int i = 0; i < 3; i++) {
            client.create("/w/gone" + i, bytes(""));
        }
        cluster.state.compact(cluster.state.revision());
        await().atMost(Duration.ofSeconds(5)).until(() -> r.error.get() != null);
        assertTrue(r.error.get() instanceof CompactedException);
        assertEquals(List.of("/w/a"), r.created());
    }

    @Test
    void aWatchNoNodeConfirmsFailsWithinTheDeadline() throws Exception {
        cluster.stopAll();
        long start = System.nanoTime();
        assertThrows(ClusterUnavailableException.class, () -> client.watch(WatchSpec.subtree("/w"), new Recorder()));
        assertTrue((System.nanoTime() - start) / 1_000_000 < 3500);
        cluster.startAll();
    }

    @Test
    void aWatcherTooSlowIsReWatchedFromItsLastRevision() {
        Recorder r = new Recorder();
        client.watch(WatchSpec.subtree("/w"), r);
        client.create("/w/a", bytes(""));
        await().until(() -> r.created().size() == 1);
        cluster.state.cancelAllTooSlow();
        client.create("/w/b", bytes(""));
        await().until(() -> r.created().size() == 2);
        assertEquals(List.of("/w/a", "/w/b"), r.created());
        assertEquals(null, r.error.get());
    }

    @Test
    void aCancelledWatchHearsNothingMore() throws Exception {
        Recorder r = new Recorder();
        Watch w = client.watch(WatchSpec.subtree("/w"), r);
        client.create("/w/a", bytes(""));
        await().until(() -> r.created().size() == 1);
        w.cancel();
        assertFalse(w.isActive());
        // Positive signal first: a watch opened after the cancel hears /w/b, so the event has
        // been delivered to this client; the cancelled watch must not have heard it.
        Recorder probe = new Recorder();
        client.watch(WatchSpec.subtree("/w"), probe);
        client.create("/w/b", bytes(""));
        await().until(() -> probe.created().contains("/w/b"));
        assertEquals(List.of("/w/a"), r.created());
    }

    @Test
    void progressNotificationsAdvanceTheWatchsRevision() {
        AtomicReference<Long> progress = new AtomicReference<>(0L);
        Watch w = client.watch(WatchSpec.node("/w/none"), new WatchListener() {
            @Override
            public void onEvent(WatchEvent event) {
            }

            @Override
            public void onProgress(long revision) {
                progress.set(revision);
            }
        });
        long rev = client.create("/w/other", bytes("")).revision();
        client.core().watches.requestProgress();
        await().until(() -> progress.get() >= rev);
        assertTrue(w.lastRevision() >= rev);
    }

    private static void assertIncreasing(List<WatchEvent> events) {
        long last = 0;
        for (WatchEvent e : events) {
            assertTrue(e.revision() >= last, "revision " + e.revision() + " after " + last);
            last = e.revision();
        }
    }
}
