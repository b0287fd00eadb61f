package io.kvorum.server.http;

import static io.kvorum.server.http.HttpNodes.body;
import static io.kvorum.server.http.HttpNodes.reason;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.kvorum.server.testing.InJvmCluster;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Blocking queries and Server-Sent Event streams over HTTP, against a real 3-node cluster. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WatchHttpTest {
    @TempDir
    static Path dir;
    InJvmCluster cluster;
    /** Serves the blocking queries: its waiting count is theirs alone. */
    HttpNodes http;
    /** Serves the event streams, which stay open until the class is done. */
    HttpNodes streams;
    long follower;

    @BeforeAll
    void start() throws Exception {
        cluster = new InJvmCluster(dir, 3, "http-watch");
        cluster.startAll();
        follower = cluster.other(cluster.awaitLeader());
        http = new HttpNodes(cluster);
        http.start(follower);
        streams = new HttpNodes(cluster);
        streams.start(follower);
    }

    @AfterAll
    void stop() {
        streams.close();
        http.close();
        cluster.close();
    }

    private long revisionOf(HttpResponse<byte[]> r) {
        return Long.parseLong(r.headers().firstValue("X-Kvorum-Revision").orElseThrow());
    }

    @Test
    void aBlockingQueryWakesOnAChange() throws Exception {
        assertEquals(201, http.text(follower, "POST", "/v1/nodes/blk", "v0").statusCode());
        long seen = revisionOf(http.get(follower, "/v1/nodes/blk"));
        CompletableFuture<HttpResponse<byte[]>> waiting = http.client.sendAsync(HttpRequest.newBuilder(
                http.uri(follower, "/v1/nodes/blk?revision=" + seen + "&wait=60s")).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        await().atMost(Duration.ofSeconds(10)).until(() -> http.server(follower).waiting() == 1);
        assertFalse(waiting.isDone(), "nothing changed after the revision: the query waits");

        assertEquals(200, http.text(follower, "PUT", "/v1/nodes/blk", "v1").statusCode());
        HttpResponse<byte[]> woke = waiting.get(20, TimeUnit.SECONDS);
        assertEquals(200, woke.statusCode());
        assertEquals("v1", body(woke).get("text").getAsString());
        assertTrue(revisionOf(woke) > seen);
    }

    @Test
    void aBlockingQueryWakesWithin100MillisecondsOfAChange() throws Exception {
        long leader = cluster.awaitLeader();
        try (HttpNodes onLeader = new HttpNodes(cluster)) {
            onLeader.start(leader);
            List<Long> atLeader = wakeLags(onLeader, leader, "/fast-leader");
            // A follower applies a write once the leader's next message tells it the write is
            // committed: up to a heartbeat (50 ms in tests) after the writer's answer.
            List<Long> atFollower = wakeLags(http, follower, "/fast-follower");
            // Every round but the first (class loading and JIT on this path) within 100 ms.
            assertTrue(atLeader.subList(1, atLeader.size()).stream().allMatch(ms -> ms <= 100)
                    && atFollower.subList(1, atFollower.size()).stream().allMatch(ms -> ms <= 100),
                    "wake-up after the change was acknowledged, per round, on the leader " + atLeader
                            + " ms, on a follower " + atFollower + " ms");
        }
    }

    /** Per round, how long after a write was answered a blocking query on node {@code id} waiting for it answered. */
    private List<Long> wakeLags(HttpNodes nodes, long id, String path) throws Exception {
        assertEquals(201, nodes.text(id, "POST", "/v1/nodes" + path, "v0").statusCode());
        List<Long> lagMillis = new java.util.ArrayList<>();
        for (int round = 1; round <= 5; round++) {
            long seen = revisionOf(nodes.get(id, "/v1/nodes" + path));
            AtomicLong wokeAt = new AtomicLong();
            CompletableFuture<HttpResponse<byte[]>> waiting = nodes.client.sendAsync(HttpRequest.newBuilder(
                    nodes.uri(id, "/v1/nodes" + path + "?revision=" + seen + "&wait=60s")).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray()).whenComplete((r, e) -> wokeAt.set(System.nanoTime()));
            await().atMost(Duration.ofSeconds(10)).until(() -> nodes.server(id).waiting() == 1);
            assertEquals(200, nodes.text(id, "PUT", "/v1/nodes" + path, "v" + round).statusCode());
            long acknowledgedAt = System.nanoTime();
            HttpResponse<byte[]> woke = waiting.get(20, TimeUnit.SECONDS);
            assertEquals("v" + round, body(woke).get("text").getAsString());
            lagMillis.add(TimeUnit.NANOSECONDS.toMillis(Math.max(0, wokeAt.get() - acknowledgedAt)));
        }
        return lagMillis;
    }

    @Test
    void aBlockingQueryReturnsAtOnceWhenSomethingChangedAfterItsRevision() throws Exception {
        assertEquals(201, http.text(follower, "POST", "/v1/nodes/past", "v0").statusCode());
        long seen = revisionOf(http.get(follower, "/v1/nodes/past"));
        assertEquals(200, http.text(follower, "PUT", "/v1/nodes/past", "v1").statusCode());
        HttpResponse<byte[]> r = http.get(follower, "/v1/nodes/past?revision=" + seen + "&wait=10m");
        assertEquals("v1", body(r).get("text").getAsString());
    }

    @Test
    void aBlockingQueryTimesOutWithTheCurrentValue() throws Exception {
        assertEquals(201, http.text(follower, "POST", "/v1/nodes/quiet", "same").statusCode());
        HttpResponse<byte[]> now = http.get(follower, "/v1/nodes/quiet");
        long start = System.nanoTime();
        HttpResponse<byte[]> later = http.get(follower, "/v1/nodes/quiet?revision=" + revisionOf(now)
                + "&wait=300ms");
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(200, later.statusCode());
        assertTrue(tookMillis >= 300 && tookMillis < 300 + 5_000, "answered after " + tookMillis + " ms");
        assertEquals("same", body(later).get("text").getAsString());
        assertEquals(body(now).getAsJsonObject("stat"), body(later).getAsJsonObject("stat"));
        assertEquals(0, http.server(follower).waiting());
    }

    @Test
    void aBlockingChildrenQueryWakesWhenAChildIsAdded() throws Exception {
        assertEquals(201, http.text(follower, "POST", "/v1/nodes/dir", "").statusCode());
        long seen = revisionOf(http.get(follower, "/v1/children/dir"));
        CompletableFuture<HttpResponse<byte[]>> waiting = http.client.sendAsync(HttpRequest.newBuilder(
                http.uri(follower, "/v1/children/dir?revision=" + seen)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        await().atMost(Duration.ofSeconds(10)).until(() -> http.server(follower).waiting() >= 1);
        assertEquals(201, http.text(follower, "POST", "/v1/nodes/dir/kid", "").statusCode());
        HttpResponse<byte[]> woke = waiting.get(20, TimeUnit.SECONDS);
        assertEquals("kid", body(woke).getAsJsonArray("children").get(0).getAsJsonObject().get("name").getAsString());
    }

    @Test
    void waitWithoutARevisionOrTooLongIsRefused() throws Exception {
        assertEquals(400, http.get(follower, "/v1/nodes/x?wait=5s").statusCode());
        assertEquals(400, http.get(follower, "/v1/nodes/x?revision=1&wait=11m").statusCode());
        assertEquals(400, http.get(follower, "/v1/nodes/x?revision=1&wait=soon").statusCode());
    }

    /** The SSE stream's events, as (event name, data) pairs, read on the client's thread. */
    private record Sse(String event, String id, JsonObject data) {
    }

    private BlockingQueue<Sse> stream(String pathAndQuery, String lastEventId) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(streams.uri(follower, pathAndQuery)).GET();
        if (lastEventId != null) {
            b.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<Stream<String>> r = streams.client.send(b.build(), HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElseThrow().startsWith("text/event-stream"));
        BlockingQueue<Sse> events = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            String event = null;
            String id = null;
            try {
                for (String line : (Iterable<String>) r.body()::iterator) {
                    if (line.startsWith("event: ")) {
                        event = line.substring(7);
                    } else if (line.startsWith("id: ")) {
                        id = line.substring(4);
                    } else if (line.startsWith("data: ")) {
                        events.add(new Sse(event, id, JsonParser.parseString(line.substring(6)).getAsJsonObject()));
                        event = null;
                        id = null;
                    }
                }
            } catch (RuntimeException closed) {
                // the test is over and the stream was cut
            }
        }, "sse-reader");
        reader.setDaemon(true);
        reader.start();
        return events;
    }

    private static Sse next(BlockingQueue<Sse> events, String kind) throws InterruptedException {
        while (true) {
            Sse e = events.poll(20, TimeUnit.SECONDS);
            if (e == null) {
                throw new AssertionError("no " + kind + " event within 20 s");
            }
            if (e.event().equals(kind)) {
                return e;
            }
        }
    }

    @Test
    void anEventStreamDeliversChangesInOrderAndResumesFromAnEventId() throws Exception {
        assertEquals(201, http.text(follower, "POST", "/v1/nodes/feed", "").statusCode());
        BlockingQueue<Sse> events = stream("/v1/watch/feed?recursive", null);
        next(events, "created");
        assertEquals(201, http.text(follower, "POST", "/v1/nodes/feed/a", "A").statusCode());
        assertEquals(200, http.text(follower, "PUT", "/v1/nodes/feed/a", "A2").statusCode());

        List<String> seen = new java.util.ArrayList<>();
        long createdAt = 0;
        while (seen.size() < 3) {
            for (var ev : next(events, "events").data().getAsJsonArray("events")) {
                JsonObject o = ev.getAsJsonObject();
                seen.add(o.get("type").getAsString() + " " + o.get("path").getAsString());
                if (o.get("type").getAsString().equals("CREATED")) {
                    createdAt = o.get("revision").getAsLong();
                }
            }
        }
        assertEquals(java.util.Set.of("CHILDREN_CHANGED /feed", "CREATED /feed/a", "CHANGED /feed/a"),
                java.util.Set.copyOf(seen));
        assertEquals("CHANGED /feed/a", seen.get(2), "the set's revision comes after the create's");
        String firstId = Long.toString(createdAt);

        // Resuming after the first event's revision replays what followed it, from history.
        BlockingQueue<Sse> resumed = stream("/v1/watch/feed?recursive=true", firstId);
        next(resumed, "created");
        Sse again = next(resumed, "events");
        assertEquals("CHANGED", again.data().getAsJsonArray("events").get(0).getAsJsonObject().get("type")
                .getAsString());
        assertEquals("A2", again.data().getAsJsonArray("events").get(0).getAsJsonObject().get("text").getAsString());
    }

    @Test
    void aQuietStreamGetsProgressAndABadOneAnErrorStatus() throws Exception {
        BlockingQueue<Sse> events = stream("/v1/watch/nothing-here", null);
        long created = next(events, "created").data().get("revision").getAsLong();
        assertTrue(next(events, "progress").data().get("revision").getAsLong() >= created);

        HttpResponse<byte[]> bad = streams.get(follower, "/v1/watch/a//b");
        assertEquals(400, bad.statusCode());
        assertEquals("INVALID_PATH", reason(bad));
        HttpResponse<byte[]> badId = streams.send(HttpRequest.newBuilder(streams.uri(follower, "/v1/watch/x"))
                .header("Last-Event-ID", "yesterday").GET());
        assertEquals(400, badId.statusCode());
    }
}
