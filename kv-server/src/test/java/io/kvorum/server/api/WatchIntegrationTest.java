package io.kvorum.server.api;

import static io.kvorum.server.api.Calls.retry;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.kvorum.proto.v1.CreateRequest;
import io.kvorum.proto.v1.ErrorReason;
import io.kvorum.proto.v1.Event;
import io.kvorum.proto.v1.RequestHeader;
import io.kvorum.proto.v1.SetRequest;
import io.kvorum.proto.v1.WatchCreate;
import io.kvorum.proto.v1.WatchGrpc;
import io.kvorum.proto.v1.WatchRequest;
import io.kvorum.proto.v1.WatchResponse;
import io.kvorum.server.state.StateLimits;
import io.kvorum.server.testing.InJvmCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Watches against a real 3-node cluster: semantics, resumption, leader change, limits. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WatchIntegrationTest {
    @TempDir
    Path dir;
    InJvmCluster cluster;
    long leader;
    long follower;

    @BeforeEach
    void create() throws Exception {
        cluster = new InJvmCluster(dir, 3, "api-test");
    }

    private void startCluster() throws Exception {
        cluster.startAll();
        leader = cluster.awaitLeader();
        follower = cluster.other(leader);
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private long write(long node, String path, String data) {
        return retry(() -> cluster.kv(node).set(SetRequest.newBuilder().setPath(path).setExpectedVersion(-1)
                .setData(ByteString.copyFromUtf8(data)).build())).getHeader().getRevision();
    }

    private long createNode(long node, String path) {
        return retry(() -> cluster.kv(node).create(CreateRequest.newBuilder().setPath(path).build())).getHeader()
                .getRevision();
    }

    private static List<String> describe(List<Event> events) {
        List<String> out = new ArrayList<>();
        events.forEach(e -> out.add(e.getType() + " " + e.getPath()));
        return out;
    }

    @Test
    void nodeAndRecursiveWatchesSeeWhatTheyShould() throws Exception {
        startCluster();
        try (WatchClient w = new WatchClient(cluster.watch(follower))) {
            w.create(1, "/w", false, 0);
            w.create(2, "/w", true, 0);
            assertTrue(w.nextNonProgress(5000).getCreated());
            assertTrue(w.nextNonProgress(5000).getCreated());
            createNode(leader, "/w");
            createNode(follower, "/w/a");
            write(leader, "/w/a", "x");
            retry(() -> cluster.kv(leader).delete(io.kvorum.proto.v1.DeleteRequest.newBuilder().setPath("/w/a")
                    .setExpectedVersion(-1).build()));
            write(follower, "/w", "y");
            List<Event> node = new ArrayList<>();
            List<Event> tree = new ArrayList<>();
            while (node.size() < 4 || tree.size() < 7) {
                WatchResponse r = w.nextNonProgress(5000);
                (r.getWatchId() == 1 ? node : tree).addAll(r.getEventsList());
            }
            assertEquals(List.of("CREATED /w", "CHILDREN_CHANGED /w", "CHILDREN_CHANGED /w", "CHANGED /w"),
                    describe(node));
            assertEquals(List.of("CREATED /w", "CREATED /w/a", "CHILDREN_CHANGED /w", "CHANGED /w/a", "DELETED /w/a",
                    "CHILDREN_CHANGED /w", "CHANGED /w"), describe(tree));
            assertEquals("x", tree.get(3).getData().toStringUtf8());
            for (int i = 1; i < tree.size(); i++) {
                assertTrue(tree.get(i).getRevision() >= tree.get(i - 1).getRevision());
            }
        }
    }

    @Test
    void aWatcherThatDisconnectsAndResumesFromItsLastRevisionSeesEveryEventOnceInOrder() throws Exception {
        startCluster();
        long start = createNode(leader, "/r") + 1;
        createNode(leader, "/r/k");
        int n = 200;
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < n; i++) {
                write(1 + i % 3, "/r/k", Integer.toString(i));
            }
        });
        List<String> seen = new ArrayList<>();
        long last = start - 1;
        long node = follower;
        int reconnects = 0;
        while (seen.size() < n) {
            try (WatchClient w = new WatchClient(cluster.watch(node))) {
                w.create(7, "/r", true, last + 1);
                assertTrue(w.nextNonProgress(10_000).getCreated());
                int goal = Math.min(n, seen.size() + 60);
                while (seen.size() < goal) {
                    WatchResponse r = w.nextNonProgress(10_000);
                    for (Event e : r.getEventsList()) {
                        // events of one revision share it; a repeated revision shows as a repeated value
                        assertTrue(e.getRevision() >= last, "revision " + e.getRevision() + " after " + last);
                        last = e.getRevision();
                        if (e.getType() == Event.Type.CHANGED) {
                            seen.add(e.getData().toStringUtf8());
                        }
                    }
                }
                w.disconnect();
            }
            node = 1 + node % 3;
            reconnects++;
        }
        writer.get(60, TimeUnit.SECONDS);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            expected.add(Integer.toString(i));
        }
        assertEquals(expected, seen);
        assertTrue(reconnects >= 3);
    }

    @Test
    void resumingAcrossALeaderChangeLosesAndRepeatsNothing() throws Exception {
        startCluster();
        long writerNode = follower;
        long start = createNode(writerNode, "/lc") + 1;
        createNode(writerNode, "/lc/k");
        int n = 150;
        String clientId = UUID.randomUUID().toString();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < n; i++) {
                // A retried write reuses its sequence: it applies once even if the first try did.
                RequestHeader h = RequestHeader.newBuilder().setClientId(clientId).setSequence(i + 1)
                        .setLowestUnansweredSequence(i + 1).build();
                SetRequest req = SetRequest.newBuilder().setHeader(h).setPath("/lc/k").setExpectedVersion(-1)
                        .setData(ByteString.copyFromUtf8(Integer.toString(i))).build();
                retry(() -> cluster.kv(writerNode).set(req));
            }
        });
        List<String> seen = new ArrayList<>();
        long last = start - 1;
        try (WatchClient w = new WatchClient(cluster.watch(leader))) {
            w.create(1, "/lc", true, start);
            assertTrue(w.nextNonProgress(10_000).getCreated());
            while (seen.size() < 40) {
                for (Event e : w.nextNonProgress(10_000).getEventsList()) {
                    assertTrue(e.getRevision() >= last);
                    last = e.getRevision();
                    if (e.getType() == Event.Type.CHANGED) {
                        seen.add(e.getData().toStringUtf8());
                    }
                }
            }
            cluster.stop(leader); // mid-stream: the watcher's node goes away
        }
        try (WatchClient w = new WatchClient(cluster.watch(writerNode))) {
            w.create(1, "/lc", true, last + 1);
            assertTrue(w.nextNonProgress(10_000).getCreated());
            while (seen.size() < n) {
                for (Event e : w.nextNonProgress(20_000).getEventsList()) {
                    assertTrue(e.getRevision() >= last, "revision " + e.getRevision() + " after " + last);
                    last = e.getRevision();
                    if (e.getType() == Event.Type.CHANGED) {
                        seen.add(e.getData().toStringUtf8());
                    }
                }
            }
        }
        writer.get(60, TimeUnit.SECONDS);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            expected.add(Integer.toString(i));
        }
        assertEquals(expected, seen);
    }

    @Test
    void aWatchOnANodeThatCatchesUpBySnapshotStillSeesEveryRevision() throws Exception {
        cluster.snapshotEntries(50);
        startCluster();
        long lagging = follower;
        long start = createNode(leader, "/s") + 1;
        createNode(leader, "/s/k");
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.node(lagging).state().revision() >= start);
        cluster.stop(lagging);
        int n = 300;
        for (int i = 0; i < n; i++) {
            write(leader, "/s/k", Integer.toString(i));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> cluster.node(leader).node().store().firstIndex() > 100);
        cluster.start(lagging);
        // A node that knows no leader ends its watch streams (the client resumes elsewhere):
        // watch on it once it follows the leader again.
        await().atMost(Duration.ofSeconds(20)).until(() -> cluster.node(lagging).node().status().leaderId() != 0);
        List<String> seen = new ArrayList<>();
        long last = start - 1;
        try (WatchClient w = new WatchClient(cluster.watch(lagging))) {
            w.create(1, "/s", true, start);
            assertTrue(w.nextNonProgress(10_000).getCreated());
            while (seen.size() < n) {
                for (Event e : w.nextNonProgress(20_000).getEventsList()) {
                    assertTrue(e.getRevision() >= last, "revision " + e.getRevision() + " after " + last);
                    last = e.getRevision();
                    if (e.getType() == Event.Type.CHANGED) {
                        seen.add(e.getData().toStringUtf8());
                    }
                }
            }
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            expected.add(Integer.toString(i));
        }
        assertEquals(expected, seen);
        assertTrue(cluster.node(lagging).node().status().snapshotIndex() > 0, "it caught up by a snapshot");
    }

    @Test
    void aWatchFromACompactedRevisionIsCanceledWithTheOldestRevisionKept() throws Exception {
        StateLimits d = StateLimits.defaults();
        cluster.limits(new StateLimits(d.maxPathBytes(), d.maxValueBytes(), d.maxRequestBytes(), d.maxMultiOps(),
                20, d.dedupeClients(), d.dedupePerClient(), d.minSessionTtlMillis(), d.maxSessionTtlMillis()));
        startCluster();
        createNode(leader, "/h");
        long last = 0;
        for (int i = 0; i < 50; i++) {
            last = write(leader, "/h", Integer.toString(i));
        }
        // The follower trims its history as it applies: once it has applied every write, the
        // oldest revision it names below stays kept while the watch is created again from it.
        long written = last;
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.node(follower).state().revision() >= written);
        try (WatchClient w = new WatchClient(cluster.watch(follower))) {
            w.create(3, "/h", false, 1);
            WatchResponse r = w.nextNonProgress(5000);
            assertTrue(r.getCanceled());
            assertFalse(r.getCreated());
            assertEquals(ErrorReason.COMPACTED, r.getCancelError());
            assertEquals(io.grpc.Status.Code.OUT_OF_RANGE, Errors.codeOf(r.getCancelError()));
            long oldest = r.getCompactRevision();
            assertTrue(oldest > 1, "compact revision " + oldest);
            assertTrue(r.getCancelReason().contains(Long.toString(oldest)));
            // from the oldest kept revision it works, and starts exactly there
            w.create(4, "/h", false, oldest);
            assertTrue(w.nextNonProgress(5000).getCreated());
            WatchResponse first = w.nextNonProgress(5000);
            assertEquals(oldest, first.getEvents(0).getRevision());
        }
    }

    @Test
    void quietWatchesGetProgressNotificationsAndOnRequest() throws Exception {
        startCluster();
        long rev = createNode(leader, "/other");
        try (WatchClient w = new WatchClient(cluster.watch(follower))) {
            w.create(5, "/quiet", true, 0);
            assertTrue(w.nextNonProgress(5000).getCreated());
            WatchResponse p = w.next(5000);
            assertNotNull(p, "a progress notification after " + cluster.options().watchProgressAfter());
            assertTrue(p.getProgress());
            assertEquals(5, p.getWatchId());
            assertTrue(p.getHeader().getRevision() >= rev);
            long later = write(leader, "/other", "x");
            cluster.awaitLeader();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() ->
                    cluster.node(follower).state().revision() >= later);
            w.requestProgress();
            WatchResponse asked = w.next(5000);
            assertNotNull(asked);
            assertTrue(asked.getProgress());
            assertTrue(asked.getHeader().getRevision() >= later, "progress reports the revision reached");
        }
    }

    @Test
    void aBadWatchIsCanceledAndTheStreamServesTheOthers() throws Exception {
        startCluster();
        try (WatchClient w = new WatchClient(cluster.watch(leader))) {
            w.create(1, "no-slash", false, 0);
            WatchResponse bad = w.nextNonProgress(5000);
            assertTrue(bad.getCanceled());
            assertEquals(ErrorReason.INVALID_PATH, bad.getCancelError());
            assertTrue(bad.getCancelReason().contains("no-slash"));
            w.create(2, "/fine", false, 0);
            assertTrue(w.nextNonProgress(5000).getCreated());
            createNode(follower, "/fine");
            WatchResponse ev = w.nextNonProgress(5000);
            assertEquals(2, ev.getWatchId());
            assertEquals(Event.Type.CREATED, ev.getEvents(0).getType());
            w.cancel(2);
            WatchResponse canceled = w.nextNonProgress(5000);
            assertTrue(canceled.getCanceled());
            // a reused watch id on the same stream is a client bug: the stream ends
            w.create(3, "/x", false, 0);
            w.nextNonProgress(5000);
            w.create(3, "/y", false, 0);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> w.error != null);
            assertEquals(Status.Code.INVALID_ARGUMENT, Status.fromThrowable(w.error).getCode());
            assertEquals("INVALID_DATA", ErrorDetails.reason((StatusRuntimeException) w.error));
        }
    }

    @Test
    void aWatcherThatDoesNotReadIsCanceledAsTooSlowInsteadOfGrowingMemory() throws Exception {
        cluster.options(cluster.options().withWatcherLimits(20, 16L << 20));
        startCluster();
        createNode(leader, "/slow");
        // A small HTTP/2 window: unread responses soon stop the server's stream being ready.
        ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", cluster.clientPort(follower))
                .usePlaintext().flowControlWindow(64 * 1024).build();
        try {
            BlockingQueue<WatchResponse> got = new LinkedBlockingQueue<>();
            ClientCall<WatchRequest, WatchResponse> call = ch.newCall(WatchGrpc.getWatchMethod(), CallOptions.DEFAULT);
            call.start(new ClientCall.Listener<>() {
                @Override
                public void onMessage(WatchResponse message) {
                    got.add(message);
                }
            }, new Metadata());
            call.request(1);
            call.sendMessage(WatchRequest.newBuilder().setCreate(WatchCreate.newBuilder().setWatchId(9)
                    .setPath("/slow")).build());
            WatchResponse created = got.poll(5, TimeUnit.SECONDS);
            assertNotNull(created);
            assertTrue(created.getCreated());
            ByteString value = ByteString.copyFrom(new byte[16 * 1024]);
            for (int i = 0; i < 120; i++) {
                SetRequest req = SetRequest.newBuilder().setPath("/slow").setExpectedVersion(-1).setData(value).build();
                retry(() -> cluster.kv(leader).set(req));
            }
            call.request(1_000);
            WatchResponse last = null;
            long prev = 0;
            int events = 0;
            while (true) {
                WatchResponse r = got.poll(10, TimeUnit.SECONDS);
                assertNotNull(r, "the watch ends with a cancel after " + events + " events");
                if (r.getCanceled()) {
                    last = r;
                    break;
                }
                for (Event e : r.getEventsList()) {
                    assertTrue(e.getRevision() > prev, "in order, no repeats");
                    prev = e.getRevision();
                    events++;
                }
            }
            assertEquals(ErrorReason.WATCHER_TOO_SLOW, last.getCancelError());
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, Errors.codeOf(last.getCancelError()));
            assertTrue(last.getCancelReason().contains("watch again from revision " + (prev + 1)),
                    last.getCancelReason() + " / last delivered " + prev);
            assertTrue(events < 120, "it was cut off, not fed everything: " + events);
            call.cancel("done", null);
        } finally {
            ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        // the node is fine and serves others
        assertEquals(16 * 1024, retry(() -> cluster.kv(follower).get(io.kvorum.proto.v1.GetRequest.newBuilder()
                .setPath("/slow").build())).getData().size());
    }
}
