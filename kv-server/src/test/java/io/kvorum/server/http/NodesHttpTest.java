package io.kvorum.server.http;

import static io.kvorum.server.http.HttpNodes.body;
import static io.kvorum.server.http.HttpNodes.error;
import static io.kvorum.server.http.HttpNodes.reason;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.kvorum.server.testing.InJvmCluster;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP API's node, children, multi and session calls against a real 3-node cluster, through
 * a follower (writes and linearizable reads go through raft from there) and the leader. Each
 * test works under its own path.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NodesHttpTest {
    @TempDir
    static Path dir;
    InJvmCluster cluster;
    HttpNodes http;
    long leader;
    long follower;

    @BeforeAll
    void start() throws Exception {
        // A small request limit, so a too-large body is cheap to send.
        cluster = new InJvmCluster(dir, 3, "http-test").limits(new io.kvorum.server.state.StateLimits(4096,
                16 * 1024, 64 * 1024, 128, 10_000, 10_000, 1_000, 1_000, 600_000));
        cluster.startAll();
        leader = cluster.awaitLeader();
        follower = cluster.other(leader);
        http = new HttpNodes(cluster);
        http.start(leader);
        http.start(follower);
    }

    @AfterAll
    void stop() {
        http.close();
        cluster.close();
    }

    /** Sends one request line with no headers but Host over a plain socket; returns the status line. */
    private String rawStatusLine(String requestLine) throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", http.server(follower).port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write((requestLine + "\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine();
        }
    }

    private static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    @Test
    void rawBytesAndJsonWrappedDataRoundTrip() throws Exception {
        HttpResponse<byte[]> created = http.text(follower, "POST", "/v1/nodes/rt", "hello");
        assertEquals(201, created.statusCode(), text(created));
        assertEquals("/v1/nodes/rt", created.headers().firstValue("Location").orElseThrow());
        assertEquals("\"0\"", created.headers().firstValue("ETag").orElseThrow());

        HttpResponse<byte[]> got = http.get(follower, "/v1/nodes/rt");
        assertEquals(200, got.statusCode());
        JsonObject o = body(got);
        assertEquals("hello", o.get("text").getAsString());
        assertEquals(Base64.getEncoder().encodeToString("hello".getBytes(StandardCharsets.UTF_8)),
                o.get("data").getAsString());
        assertEquals(0, o.getAsJsonObject("stat").get("version").getAsLong());
        assertEquals(got.headers().firstValue("X-Kvorum-Revision").orElseThrow(), o.get("revision").getAsString());

        assertEquals("hello", text(http.get(leader, "/v1/nodes/rt?raw")));
        HttpResponse<byte[]> accept = http.send(HttpRequest.newBuilder(http.uri(leader, "/v1/nodes/rt"))
                .header("Accept", "application/octet-stream"));
        assertEquals("application/octet-stream", accept.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("hello", text(accept));

        byte[] binary = {0, (byte) 0xff, (byte) 0xc3, 7};
        assertEquals(200, http.json(follower, "PUT", "/v1/nodes/rt",
                "{\"data\":\"" + Base64.getEncoder().encodeToString(binary) + "\"}").statusCode());
        JsonObject bin = body(http.get(follower, "/v1/nodes/rt"));
        assertFalse(bin.has("text"), "bytes that are not UTF-8 have no text");
        assertArrayEquals(binary, Base64.getDecoder().decode(bin.get("data").getAsString()));
        assertArrayEquals(binary, http.get(follower, "/v1/nodes/rt?raw=true").body());

        assertEquals(200, http.json(follower, "PUT", "/v1/nodes/rt", "{\"text\":\"wrapped\"}").statusCode());
        assertEquals("wrapped", text(http.get(leader, "/v1/nodes/rt?raw")));
    }

    @Test
    void versionPreconditionsFromIfMatchOrTheQuery() throws Exception {
        assertEquals(201, http.text(follower, "POST", "/v1/nodes/ver", "v0").statusCode());
        HttpResponse<byte[]> set = http.send(HttpRequest.newBuilder(http.uri(follower, "/v1/nodes/ver"))
                .header("If-Match", "\"0\"").PUT(HttpRequest.BodyPublishers.ofString("v1")));
        assertEquals(200, set.statusCode(), text(set));
        assertEquals("\"1\"", set.headers().firstValue("ETag").orElseThrow());

        HttpResponse<byte[]> stale = http.send(HttpRequest.newBuilder(http.uri(follower, "/v1/nodes/ver"))
                .header("If-Match", "\"0\"").PUT(HttpRequest.BodyPublishers.ofString("lost")));
        assertEquals(412, stale.statusCode());
        assertEquals("BAD_VERSION", reason(stale));
        assertEquals("FAILED_PRECONDITION", error(stale).get("code").getAsString());
        assertEquals("/ver", error(stale).getAsJsonObject("metadata").get("path").getAsString());

        HttpResponse<byte[]> disagree = http.send(HttpRequest.newBuilder(http.uri(follower, "/v1/nodes/ver?version=1"))
                .header("If-Match", "\"2\"").PUT(HttpRequest.BodyPublishers.ofString("x")));
        assertEquals(400, disagree.statusCode());
        assertTrue(error(disagree).get("message").getAsString().contains("disagree"));

        assertEquals(412, http.method(follower, "DELETE", "/v1/nodes/ver?version=5", null, null).statusCode());
        assertEquals(200, http.method(follower, "DELETE", "/v1/nodes/ver?version=1", null, null).statusCode());
        HttpResponse<byte[]> gone = http.get(follower, "/v1/nodes/ver");
        assertEquals(404, gone.statusCode());
        assertEquals("NO_NODE", reason(gone));
        assertEquals("/ver", error(gone).getAsJsonObject("metadata").get("path").getAsString());
    }

    @Test
    void createConflictsAndMissingParents() throws Exception {
        assertEquals(201, http.text(follower, "POST", "/v1/nodes/dup", "").statusCode());
        HttpResponse<byte[]> again = http.text(follower, "POST", "/v1/nodes/dup", "");
        assertEquals(409, again.statusCode());
        assertEquals("NODE_EXISTS", reason(again));
        HttpResponse<byte[]> orphan = http.text(follower, "POST", "/v1/nodes/no/parent", "");
        assertEquals(404, orphan.statusCode());
        assertEquals("/no", error(orphan).getAsJsonObject("metadata").get("path").getAsString());
        assertEquals(201, http.text(follower, "POST", "/v1/nodes/dup/child", "").statusCode());
        HttpResponse<byte[]> notEmpty = http.method(follower, "DELETE", "/v1/nodes/dup", null, null);
        assertEquals(409, notEmpty.statusCode());
        assertEquals("NOT_EMPTY", reason(notEmpty));
    }

    @Test
    void sequentialAndTtlModes() throws Exception {
        assertEquals(201, http.text(follower, "POST", "/v1/nodes/queue", "").statusCode());
        HttpResponse<byte[]> first = http.text(follower, "POST", "/v1/nodes/queue/job-?mode=sequential", "a");
        HttpResponse<byte[]> second = http.text(follower, "POST", "/v1/nodes/queue/job-?mode=sequential", "b");
        String p1 = body(first).get("path").getAsString();
        String p2 = body(second).get("path").getAsString();
        assertTrue(p1.matches("/queue/job-\\d{10}"), p1);
        assertTrue(p2.compareTo(p1) > 0, p1 + " then " + p2);
        assertEquals("/v1/nodes" + p1, first.headers().firstValue("Location").orElseThrow());

        HttpResponse<byte[]> ttl = http.text(follower, "POST", "/v1/nodes/shortlived?mode=ttl&ttl=500ms", "x");
        assertEquals(201, ttl.statusCode(), text(ttl));
        assertEquals("PERSISTENT_WITH_TTL", body(ttl).getAsJsonObject("stat").get("mode").getAsString());
        await().atMost(Duration.ofSeconds(20)).until(() -> http.get(follower, "/v1/nodes/shortlived").statusCode()
                == 404);

        HttpResponse<byte[]> noTtl = http.text(follower, "POST", "/v1/nodes/bad?mode=ttl", "x");
        assertEquals(400, noTtl.statusCode());
        assertEquals("INVALID_DATA", reason(noTtl));
        HttpResponse<byte[]> badMode = http.text(follower, "POST", "/v1/nodes/bad?mode=forever", "x");
        assertEquals(400, badMode.statusCode());
        assertTrue(error(badMode).get("message").getAsString().contains("forever"));
    }

    @Test
    void sessionsOwnEphemeralNodesUntilClosed() throws Exception {
        HttpResponse<byte[]> opened = http.method(follower, "POST", "/v1/sessions?ttl=5s", null, null);
        assertEquals(201, opened.statusCode(), text(opened));
        long id = body(opened).get("id").getAsLong();
        assertEquals(5000, body(opened).get("ttlMillis").getAsLong());

        HttpResponse<byte[]> eph = http.text(follower, "POST", "/v1/nodes/eph?mode=ephemeral&session=" + id, "me");
        assertEquals(201, eph.statusCode(), text(eph));
        assertEquals(id, body(eph).getAsJsonObject("stat").get("ephemeralOwner").getAsLong());

        HttpResponse<byte[]> kept = http.method(leader, "POST", "/v1/sessions/" + id + "/keepalive", null, null);
        assertEquals(200, kept.statusCode(), text(kept));
        assertEquals(id, body(kept).get("id").getAsLong());

        assertEquals(200, http.method(follower, "DELETE", "/v1/sessions/" + id, null, null).statusCode());
        assertEquals(404, http.get(follower, "/v1/nodes/eph").statusCode(), "closing deletes its ephemerals");
        HttpResponse<byte[]> expired = http.method(follower, "POST", "/v1/sessions/" + id + "/keepalive", null, null);
        assertEquals(410, expired.statusCode());
        assertEquals("SESSION_EXPIRED", reason(expired));

        HttpResponse<byte[]> noSession = http.text(follower, "POST", "/v1/nodes/eph2?mode=ephemeral&session=" + id, "");
        assertEquals(410, noSession.statusCode());
        assertEquals("SESSION_EXPIRED", reason(noSession));
        assertEquals(400, http.method(follower, "POST", "/v1/sessions", null, null).statusCode(), "ttl is required");
        assertEquals(400, http.method(follower, "POST", "/v1/sessions/abc/keepalive", null, null).statusCode());
    }

    @Test
    void childrenComeInPagesLinearizableOrSerializable() throws Exception {
        assertEquals(201, http.text(follower, "POST", "/v1/nodes/kids", "").statusCode());
        for (int i = 0; i < 5; i++) {
            assertEquals(201, http.text(follower, "POST", "/v1/nodes/kids/c" + i, "").statusCode());
        }
        List<String> names = new ArrayList<>();
        String token = "";
        int pages = 0;
        do {
            HttpResponse<byte[]> page = http.get(follower, "/v1/children/kids?pageSize=2&stat=true"
                    + (token.isEmpty() ? "" : "&pageToken=" + token));
            assertEquals(200, page.statusCode(), text(page));
            JsonObject o = body(page);
            for (JsonElement c : o.getAsJsonArray("children")) {
                names.add(c.getAsJsonObject().get("name").getAsString());
                assertTrue(c.getAsJsonObject().has("stat"));
            }
            token = o.get("nextPageToken").getAsString();
            pages++;
        } while (!token.isEmpty());
        assertEquals(List.of("c0", "c1", "c2", "c3", "c4"), names);
        assertEquals(3, pages);

        HttpResponse<byte[]> serial = http.get(follower, "/v1/children/kids?consistency=serializable&minRevision="
                + body(http.get(leader, "/v1/nodes/kids")).get("revision").getAsLong());
        assertEquals(5, body(serial).getAsJsonArray("children").size());
        HttpResponse<byte[]> badToken = http.get(follower, "/v1/children/kids?pageToken=nonsense");
        assertEquals(400, badToken.statusCode());
        assertEquals("INVALID_DATA", reason(badToken));
        HttpResponse<byte[]> badConsistency = http.get(follower, "/v1/nodes/kids?consistency=eventual");
        assertEquals(400, badConsistency.statusCode());
        assertTrue(error(badConsistency).get("message").getAsString().contains("eventual"));
    }

    @Test
    void multiAppliesAllOrNothing() throws Exception {
        assertEquals(201, http.text(follower, "POST", "/v1/nodes/m", "").statusCode());
        HttpResponse<byte[]> ok = http.json(follower, "POST", "/v1/multi", "{\"ops\":["
                + "{\"check\":{\"path\":\"/m\",\"version\":0}},"
                + "{\"create\":{\"path\":\"/m/a\",\"text\":\"A\"}},"
                + "{\"set\":{\"path\":\"/m\",\"text\":\"parent\",\"version\":0}}]}");
        assertEquals(200, ok.statusCode(), text(ok));
        JsonArray results = body(ok).getAsJsonArray("results");
        assertEquals("/m/a", results.get(1).getAsJsonObject().getAsJsonObject("create").get("path").getAsString());
        assertEquals(1, results.get(2).getAsJsonObject().getAsJsonObject("set").getAsJsonObject("stat")
                .get("version").getAsLong());

        HttpResponse<byte[]> refused = http.json(follower, "POST", "/v1/multi", "{\"ops\":["
                + "{\"create\":{\"path\":\"/m/b\"}},"
                + "{\"delete\":{\"path\":\"/m/a\",\"version\":7}}]}");
        assertEquals(412, refused.statusCode());
        assertEquals("1", error(refused).getAsJsonObject("metadata").get("op_index").getAsString());
        assertEquals(404, http.get(follower, "/v1/nodes/m/b").statusCode(), "nothing of a refused multi applies");

        HttpResponse<byte[]> unknownOp = http.json(follower, "POST", "/v1/multi", "{\"ops\":[{\"upsert\":{\"path\":\"/m\"}}]}");
        assertEquals(400, unknownOp.statusCode());
        assertTrue(error(unknownOp).get("message").getAsString().contains("upsert"));
        HttpResponse<byte[]> noOps = http.json(follower, "POST", "/v1/multi", "{}");
        assertEquals(400, noOps.statusCode());
    }

    @Test
    void malformedRequestsGetFourHundredsNamingTheProblem() throws Exception {
        HttpResponse<byte[]> badPath = http.text(follower, "POST", "/v1/nodes/a//b", "");
        assertEquals(400, badPath.statusCode());
        assertEquals("INVALID_PATH", reason(badPath));

        // java.net.URI refuses to build this request: send it by hand. (The JDK's server refuses
        // such a request line itself, before any handler.)
        assertTrue(rawStatusLine("GET /v1/nodes/a%zz HTTP/1.1").contains(" 400 "));

        HttpResponse<byte[]> notUtf8 = http.get(follower, "/v1/nodes/a%ff");
        assertEquals(400, notUtf8.statusCode());
        assertEquals("INVALID_PATH", reason(notUtf8));

        HttpResponse<byte[]> badJson = http.json(follower, "POST", "/v1/nodes/j", "{\"text\": oops}");
        assertEquals(400, badJson.statusCode());
        assertEquals("INVALID_DATA", reason(badJson));
        assertTrue(error(badJson).get("message").getAsString().contains("not valid JSON"));

        HttpResponse<byte[]> trailing = http.json(follower, "POST", "/v1/multi", "{\"ops\":[]} extra");
        assertEquals(400, trailing.statusCode());

        HttpResponse<byte[]> badBase64 = http.json(follower, "POST", "/v1/nodes/j", "{\"data\":\"***\"}");
        assertEquals(400, badBase64.statusCode());
        assertTrue(error(badBase64).get("message").getAsString().contains("base64"));

        HttpResponse<byte[]> bigValue = http.method(follower, "POST", "/v1/nodes/big", "application/octet-stream",
                new byte[20 * 1024]);
        assertEquals(413, bigValue.statusCode());
        assertEquals("TOO_LARGE", reason(bigValue));

        HttpResponse<byte[]> hugeBody = http.method(follower, "POST", "/v1/nodes/big", "application/octet-stream",
                new byte[1 << 20]);
        assertEquals(413, hugeBody.statusCode());
        assertTrue(error(hugeBody).get("message").getAsString().contains("larger than"));

        HttpResponse<byte[]> unknownParam = http.get(follower, "/v1/nodes/j?consistensy=serializable");
        assertEquals(400, unknownParam.statusCode());
        assertTrue(error(unknownParam).get("message").getAsString().contains("consistensy"));

        HttpResponse<byte[]> noRoute = http.get(follower, "/v2/nodes/x");
        assertEquals(404, noRoute.statusCode());
        assertTrue(error(noRoute).get("message").getAsString().contains("/v2/nodes/x"));

        HttpResponse<byte[]> wrongMethod = http.method(follower, "PATCH", "/v1/nodes/x", null, null);
        assertEquals(405, wrongMethod.statusCode());
        assertEquals("DELETE, GET, POST, PUT", wrongMethod.headers().firstValue("Allow").orElseThrow());

        HttpResponse<byte[]> badVersion = http.method(follower, "DELETE", "/v1/nodes/x?version=one", null, null);
        assertEquals(400, badVersion.statusCode());
        HttpResponse<byte[]> badIfMatch = http.send(HttpRequest.newBuilder(http.uri(follower, "/v1/nodes/x"))
                .header("If-Match", "W/\"x\"").DELETE());
        assertEquals(400, badIfMatch.statusCode());
    }

    private HttpResponse<byte[]> withHeaders(String method, String pathAndQuery, String body, String... headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(http.uri(follower, pathAndQuery))
                .method(method, HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b);
    }

    @Test
    void aWriteRetriedWithTheSameIdempotencyKeyIsAppliedOnce() throws Exception {
        assertEquals(201, http.text(follower, "POST", "/v1/nodes/idem", "").statusCode());
        HttpResponse<byte[]> first = withHeaders("POST", "/v1/nodes/idem/job-?mode=sequential", "a",
                "Idempotency-Key", "job-42");
        assertEquals(201, first.statusCode(), text(first));
        HttpResponse<byte[]> retry = withHeaders("POST", "/v1/nodes/idem/job-?mode=sequential", "a",
                "Idempotency-Key", "job-42");
        assertEquals(201, retry.statusCode(), text(retry));
        assertEquals(HttpNodes.body(first).get("path"), HttpNodes.body(retry).get("path"), "the first answer again");
        assertEquals(HttpNodes.body(first).get("revision"), HttpNodes.body(retry).get("revision"));
        assertEquals(1, HttpNodes.body(http.get(follower, "/v1/children/idem")).getAsJsonArray("children").size(),
                "created once");
        HttpResponse<byte[]> another = withHeaders("POST", "/v1/nodes/idem/job-?mode=sequential", "b",
                "Idempotency-Key", "job-43");
        assertEquals(201, another.statusCode());
        assertEquals(2, HttpNodes.body(http.get(follower, "/v1/children/idem")).getAsJsonArray("children").size());

        // A conditional set retried after it applied: the first answer, not 412 (the version moved on).
        HttpResponse<byte[]> set = withHeaders("PUT", "/v1/nodes/idem?version=0", "x", "X-Kvorum-Client-Id", "c-1",
                "X-Kvorum-Sequence", "1");
        assertEquals(200, set.statusCode(), text(set));
        HttpResponse<byte[]> setAgain = withHeaders("PUT", "/v1/nodes/idem?version=0", "x", "X-Kvorum-Client-Id",
                "c-1", "X-Kvorum-Sequence", "1");
        assertEquals(200, setAgain.statusCode(), text(setAgain));
        assertEquals(1, HttpNodes.body(http.get(follower, "/v1/nodes/idem")).getAsJsonObject("stat").get("version")
                .getAsLong(), "set once");
        assertEquals(412, withHeaders("PUT", "/v1/nodes/idem?version=0", "x", "X-Kvorum-Client-Id", "c-1",
                "X-Kvorum-Sequence", "2").statusCode(), "a new sequence is a new write");

        assertEquals(400, withHeaders("PUT", "/v1/nodes/idem", "x", "X-Kvorum-Sequence", "3").statusCode());
        assertEquals(400, withHeaders("PUT", "/v1/nodes/idem", "x", "X-Kvorum-Client-Id", "c-1").statusCode());
        assertEquals(400, withHeaders("PUT", "/v1/nodes/idem", "x", "X-Kvorum-Client-Id", "c-1",
                "X-Kvorum-Sequence", "zero").statusCode());
        assertEquals(400, withHeaders("PUT", "/v1/nodes/idem", "x", "Idempotency-Key", "k", "X-Kvorum-Client-Id",
                "c-1", "X-Kvorum-Sequence", "4").statusCode());
    }
}
