package io.kvorum.server.http;

import static io.kvorum.server.http.HttpNodes.body;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpServer;
import io.kvorum.server.testing.InJvmCluster;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service catalog over HTTP against a real 3-node cluster with the HTTP API on every node:
 * registration, health checks run by the leader (and taken over when it dies), filters and
 * blocking health queries.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CatalogHttpTest {
    @TempDir
    Path dir;
    InJvmCluster cluster;
    HttpNodes http;
    long leader;
    long follower;
    /** A service's health endpoint: answers this status. */
    HttpServer service;
    final AtomicInteger healthStatus = new AtomicInteger(200);
    /** Requests the health endpoint answered. */
    final AtomicInteger probes = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        cluster = new InJvmCluster(dir, 3, "catalog");
        cluster.startAll();
        leader = cluster.awaitLeader();
        follower = cluster.other(leader);
        http = new HttpNodes(cluster);
        for (long id : cluster.runningIds()) {
            http.start(id);
        }
        service = startService(0);
    }

    /** The service's HTTP server on {@code port} (0: any), its health endpoint answering {@link #healthStatus}. */
    private HttpServer startService(int port) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        s.createContext("/health", ex -> {
            probes.incrementAndGet();
            ex.sendResponseHeaders(healthStatus.get(), -1);
            ex.close();
        });
        s.start();
        return s;
    }

    @AfterEach
    void stop() {
        service.stop(0);
        http.close();
        cluster.close();
    }

    private String healthUrl() {
        return "http://127.0.0.1:" + service.getAddress().getPort() + "/health";
    }

    private HttpResponse<byte[]> register(long node, String name, String id, String json) throws Exception {
        return http.json(node, "PUT", "/v1/catalog/services/" + name + "/" + id, json);
    }

    private String status(long node, String name, String id) throws Exception {
        for (var e : body(http.get(node, "/v1/health/service/" + name)).getAsJsonArray("instances")) {
            if (e.getAsJsonObject().get("id").getAsString().equals(id)) {
                return e.getAsJsonObject().get("status").getAsString();
            }
        }
        return "absent";
    }

    @Test
    void anHttpCheckGoesCriticalWhenItsEndpointFailsAndPassingAgainWhenItRecovers() throws Exception {
        HttpResponse<byte[]> r = register(follower, "web", "web-1", "{\"address\":\"127.0.0.1\",\"port\":8080,"
                + "\"tags\":[\"v2\"],\"datacenter\":\"dc1\",\"check\":{\"http\":\"" + healthUrl()
                + "\",\"interval\":\"200ms\",\"timeout\":\"1s\"}}");
        assertEquals(200, r.statusCode(), new String(r.body()));
        await().atMost(Duration.ofSeconds(20)).until(() -> status(follower, "web", "web-1").equals("passing"));

        healthStatus.set(503);
        await().atMost(Duration.ofSeconds(20)).until(() -> status(follower, "web", "web-1").equals("critical"));
        JsonObject passingOnly = body(http.get(follower, "/v1/health/service/web?passing"));
        assertEquals(0, passingOnly.getAsJsonArray("instances").size());

        healthStatus.set(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> status(follower, "web", "web-1").equals("passing"));
        assertEquals(1, body(http.get(follower, "/v1/health/service/web?passing&tag=v2&datacenter=dc1"))
                .getAsJsonArray("instances").size());
        assertEquals(0, body(http.get(follower, "/v1/health/service/web?tag=v1")).getAsJsonArray("instances").size());
        assertEquals(0, body(http.get(follower, "/v1/health/service/web?datacenter=dc2")).getAsJsonArray("instances")
                .size());

        JsonObject services = body(http.get(leader, "/v1/catalog/services")).getAsJsonObject("services");
        assertEquals(1, services.getAsJsonObject("web").get("instances").getAsInt());
        assertEquals("v2", services.getAsJsonObject("web").getAsJsonArray("tags").get(0).getAsString());
    }

    @Test
    void anHttpCheckGoesCriticalWithinTwoIntervalsWhenItsServerStopsAndPassingWhenItIsBack() throws Exception {
        // An interval long enough that two of them are a fair bound on a loaded machine (one
        // interval until the next probe, the rest for the write and our read).
        Duration interval = Duration.ofSeconds(1);
        int port = service.getAddress().getPort();
        assertEquals(200, register(follower, "stops", "s-1", "{\"address\":\"127.0.0.1\",\"port\":" + port
                + ",\"check\":{\"http\":\"" + healthUrl() + "\",\"interval\":\"" + interval.toMillis()
                + "ms\",\"timeout\":\"500ms\"}}").statusCode());
        await().atMost(Duration.ofSeconds(20)).until(() -> status(follower, "stops", "s-1").equals("passing"));
        service.stop(0);
        await().atMost(interval.multipliedBy(2)).pollInterval(Duration.ofMillis(50))
                .until(() -> status(follower, "stops", "s-1").equals("critical"));
        service = startService(port);
        await().atMost(interval.multipliedBy(2)).pollInterval(Duration.ofMillis(50))
                .until(() -> status(follower, "stops", "s-1").equals("passing"));
    }

    @Test
    void aCriticalInstanceIsDeregisteredAfterItsDeadline() throws Exception {
        int nothingListens = InJvmCluster.freeLoopbackPort();
        assertEquals(200, register(follower, "db", "db-1", "{\"address\":\"127.0.0.1\",\"port\":" + nothingListens
                + ",\"check\":{\"tcp\":\"127.0.0.1:" + nothingListens + "\",\"interval\":\"200ms\","
                + "\"deregisterAfter\":\"1s\"}}").statusCode());
        assertEquals("critical", status(follower, "db", "db-1"), "unchecked instances start critical");
        await().atMost(Duration.ofSeconds(20)).until(() -> status(follower, "db", "db-1").equals("absent"));
    }

    private JsonObject instance(long node, String name, String id) throws Exception {
        for (var e : body(http.get(node, "/v1/health/service/" + name)).getAsJsonArray("instances")) {
            if (e.getAsJsonObject().get("id").getAsString().equals(id)) {
                return e.getAsJsonObject();
            }
        }
        return null;
    }

    private HttpResponse<byte[]> report(long node, String name, String id, String check, String json)
            throws Exception {
        return http.json(node, "PUT", "/v1/catalog/services/" + name + "/" + id + "/checks/" + check, json);
    }

    private List<String> ids(long node, String name, String query) throws Exception {
        List<String> out = new ArrayList<>();
        body(http.get(node, "/v1/health/service/" + name + query)).getAsJsonArray("instances")
                .forEach(e -> out.add(e.getAsJsonObject().get("id").getAsString()));
        return out;
    }

    @Test
    void aTtlCheckIsReportedWithAStatusAndNoteAndGoesCriticalWhenReportsStop() throws Exception {
        HttpResponse<byte[]> r = register(follower, "batch", "b-1", "{\"address\":\"10.0.0.9\",\"port\":1,"
                + "\"check\":{\"ttl\":\"2s\"}}");
        assertEquals(200, r.statusCode(), new String(r.body()));
        long session = body(r).get("session").getAsLong();
        assertEquals("passing", status(follower, "batch", "b-1"), "registering is the first report");

        HttpResponse<byte[]> warn = report(follower, "batch", "b-1", "ttl",
                "{\"status\":\"warning\",\"note\":\"queue 90% full\"}");
        assertEquals(200, warn.statusCode(), new String(warn.body()));
        assertEquals("warning", body(warn).get("status").getAsString());
        JsonObject check = instance(follower, "batch", "b-1").getAsJsonArray("checks").get(0).getAsJsonObject();
        assertEquals("warning", check.get("status").getAsString());
        assertEquals("queue 90% full", check.get("output").getAsString());
        assertEquals(List.of(), ids(follower, "batch", "?passing"), "a warning instance is not passing");
        assertEquals(List.of("b-1"), ids(follower, "batch", "?status=warning"));

        // The same report again writes nothing: a heartbeat is a session keep-alive only.
        HttpResponse<byte[]> again = report(follower, "batch", "b-1", "ttl",
                "{\"status\":\"warning\",\"note\":\"queue 90% full\"}");
        assertEquals(false, body(again).get("written").getAsBoolean());
        assertEquals(session, body(again).get("session").getAsLong());

        // No more reports: the session expires and the leader marks the check critical; the instance stays.
        await().atMost(Duration.ofSeconds(20)).until(() -> status(follower, "batch", "b-1").equals("critical"));
        assertTrue(instance(follower, "batch", "b-1").getAsJsonArray("checks").get(0).getAsJsonObject()
                .get("output").getAsString().contains("expired"));

        // The next report brings it back, on a new session.
        HttpResponse<byte[]> back = report(follower, "batch", "b-1", "ttl", "");
        assertEquals(200, back.statusCode(), new String(back.body()));
        assertTrue(body(back).get("session").getAsLong() != session, "a new session replaces the expired one");
        assertEquals("passing", status(follower, "batch", "b-1"));
    }

    @Test
    void anInstanceIsAsHealthyAsItsWorstCheck() throws Exception {
        int nothingListens = InJvmCluster.freeLoopbackPort();
        HttpResponse<byte[]> r = register(follower, "multi", "m-1", "{\"address\":\"127.0.0.1\",\"port\":1,"
                + "\"checks\":[{\"http\":\"" + healthUrl() + "\",\"interval\":\"200ms\"},"
                + "{\"id\":\"db\",\"tcp\":\"127.0.0.1:" + nothingListens + "\",\"interval\":\"200ms\"},"
                + "{\"ttl\":\"30s\"}]}");
        assertEquals(200, r.statusCode(), new String(r.body()));
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            JsonArray checks = instance(follower, "multi", "m-1").getAsJsonArray("checks");
            return checks.get(0).getAsJsonObject().get("status").getAsString().equals("passing");
        });
        JsonArray checks = instance(follower, "multi", "m-1").getAsJsonArray("checks");
        assertEquals(List.of("http", "db", "ttl"), List.of(checks.get(0).getAsJsonObject().get("id").getAsString(),
                checks.get(1).getAsJsonObject().get("id").getAsString(),
                checks.get(2).getAsJsonObject().get("id").getAsString()));
        assertEquals("critical", checks.get(1).getAsJsonObject().get("status").getAsString());
        assertEquals("passing", checks.get(2).getAsJsonObject().get("status").getAsString());
        assertEquals("critical", status(follower, "multi", "m-1"), "the TCP check fails");

        // Only the TCP check failing: re-register without it, then report the TTL check warning.
        assertEquals(200, register(follower, "multi", "m-1", "{\"address\":\"127.0.0.1\",\"port\":1,"
                + "\"checks\":[{\"http\":\"" + healthUrl() + "\",\"interval\":\"200ms\"},{\"ttl\":\"30s\"}]}")
                .statusCode());
        await().atMost(Duration.ofSeconds(20)).until(() -> status(follower, "multi", "m-1").equals("passing"));
        assertEquals(200, report(follower, "multi", "m-1", "ttl", "{\"status\":\"warning\"}").statusCode());
        assertEquals("warning", status(follower, "multi", "m-1"));
        healthStatus.set(500);
        await().atMost(Duration.ofSeconds(20)).until(() -> status(follower, "multi", "m-1").equals("critical"));
        JsonObject services = body(http.get(leader, "/v1/catalog/services")).getAsJsonObject("services");
        assertEquals(1, services.getAsJsonObject("multi").get("critical").getAsInt());
    }

    @Test
    void reportsNameTheirMistakes() throws Exception {
        assertEquals(200, register(follower, "rep", "r-1", "{\"address\":\"a\",\"port\":1,\"checks\":["
                + "{\"ttl\":\"30s\"},{\"tcp\":\"a:1\",\"interval\":\"1h\"}]}").statusCode());
        HttpResponse<byte[]> noCheck = report(follower, "rep", "r-1", "nope", "{}");
        assertEquals(404, noCheck.statusCode());
        assertTrue(HttpNodes.error(noCheck).get("message").getAsString().contains("nope"));
        HttpResponse<byte[]> notTtl = report(follower, "rep", "r-1", "tcp", "{}");
        assertEquals(400, notTtl.statusCode());
        assertTrue(HttpNodes.error(notTtl).get("message").getAsString().contains("run by the cluster"));
        HttpResponse<byte[]> badStatus = report(follower, "rep", "r-1", "ttl", "{\"status\":\"fine\"}");
        assertEquals(400, badStatus.statusCode());
        assertTrue(HttpNodes.error(badStatus).get("message").getAsString().contains("passing, warning or critical"));
        assertEquals(404, report(follower, "rep", "nobody", "ttl", "{}").statusCode());
        assertEquals(400, http.get(follower, "/v1/health/service/rep?status=fine").statusCode());
        HttpResponse<byte[]> sameIds = register(follower, "rep", "r-2", "{\"address\":\"a\",\"port\":1,"
                + "\"checks\":[{\"id\":\"x\",\"ttl\":\"30s\"},{\"id\":\"x\",\"ttl\":\"30s\"}]}");
        assertEquals(400, sameIds.statusCode());
        HttpResponse<byte[]> both = register(follower, "rep", "r-2", "{\"address\":\"a\",\"port\":1,"
                + "\"check\":{\"ttl\":\"30s\"},\"checks\":[]}");
        assertEquals(400, both.statusCode());
    }

    @Test
    void aTtlCheckWithDeregisterAfterRemovesTheInstanceOnceReportsStop() throws Exception {
        assertEquals(200, register(follower, "gone", "g-1", "{\"address\":\"a\",\"port\":1,"
                + "\"check\":{\"ttl\":\"2s\",\"deregisterAfter\":\"1s\"}}").statusCode());
        assertEquals("passing", status(follower, "gone", "g-1"));
        await().atMost(Duration.ofSeconds(30)).until(() -> status(follower, "gone", "g-1").equals("absent"));
    }

    @Test
    void theNextLeaderTakesTheChecksOver() throws Exception {
        assertEquals(200, register(follower, "api", "api-1", "{\"address\":\"127.0.0.1\",\"port\":1,"
                + "\"check\":{\"http\":\"" + healthUrl() + "\",\"interval\":\"200ms\"}}").statusCode());
        await().atMost(Duration.ofSeconds(20)).until(() -> status(follower, "api", "api-1").equals("passing"));
        http.stop(leader);
        cluster.stop(leader);
        long next = cluster.awaitLeader();
        healthStatus.set(500);
        await().atMost(Duration.ofSeconds(20)).until(() -> status(next, "api", "api-1").equals("critical"));
    }

    @Test
    void aBlockingHealthQueryWakesOnAStatusChange() throws Exception {
        assertEquals(200, register(follower, "cache", "c-1", "{\"address\":\"127.0.0.1\",\"port\":1,"
                + "\"check\":{\"http\":\"" + healthUrl() + "\",\"interval\":\"200ms\"}}").statusCode());
        await().atMost(Duration.ofSeconds(20)).until(() -> status(follower, "cache", "c-1").equals("passing"));
        HttpResponse<byte[]> now = http.get(follower, "/v1/health/service/cache?passing");
        String revision = now.headers().firstValue("X-Kvorum-Revision").orElseThrow();
        CompletableFuture<HttpResponse<byte[]>> waiting = http.client.sendAsync(HttpRequest.newBuilder(
                http.uri(follower, "/v1/health/service/cache?passing&revision=" + revision + "&wait=60s")).GET()
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        await().atMost(Duration.ofSeconds(10)).until(() -> http.server(follower).waiting() == 1);
        healthStatus.set(503);
        JsonArray after = body(waiting.get(30, TimeUnit.SECONDS)).getAsJsonArray("instances");
        assertEquals(0, after.size(), "the critical instance is no longer passing");
    }

    @Test
    void aCheckWithTheLongestIntervalIsProbedOnceNotAtEveryScan() throws Exception {
        assertEquals(200, register(follower, "slow", "s-1", "{\"address\":\"127.0.0.1\",\"port\":1,"
                + "\"check\":{\"http\":\"" + healthUrl() + "\",\"interval\":\"999999999h\"}}").statusCode());
        await().atMost(Duration.ofSeconds(20)).until(() -> status(follower, "slow", "s-1").equals("passing"));
        int first = probes.get();
        // Ten scans of the leader later: no second probe.
        await().during(HealthChecker.SCAN_EVERY.multipliedBy(10)).atMost(Duration.ofSeconds(5))
                .until(() -> probes.get() == first);
        assertEquals(1, first);
    }

    @Test
    void entriesWrittenByHandThroughTheNodesApiBreakNoCatalogCall() throws Exception {
        // Anyone who may write /services can store any JSON there: the catalog's answers skip or
        // refuse what is not an entry as it writes them, never a 500 for every reader.
        assertEquals(201, http.text(follower, "POST", "/v1/nodes/services", "").statusCode());
        assertEquals(201, http.text(follower, "POST", "/v1/nodes/services/hand", "").statusCode());
        assertEquals(201, http.text(follower, "POST", "/v1/nodes/services/hand/h-1", "{\"name\":\"hand\","
                + "\"id\":\"h-1\",\"address\":\"x\",\"port\":1,\"tags\":[{},\"t\"],\"datacenter\":{},"
                + "\"checks\":[{\"id\":\"ttl\",\"type\":\"ttl\",\"output\":[]},{\"id\":{},\"type\":\"http\"}]}")
                .statusCode());
        HttpResponse<byte[]> services = http.get(follower, "/v1/catalog/services");
        assertEquals(200, services.statusCode(), new String(services.body()));
        assertEquals("t", body(services).getAsJsonObject("services").getAsJsonObject("hand").getAsJsonArray("tags")
                .get(0).getAsString());
        HttpResponse<byte[]> inDc = http.get(follower, "/v1/health/service/hand?datacenter=dc1");
        assertEquals(200, inDc.statusCode(), new String(inDc.body()));
        assertEquals(0, body(inDc).getAsJsonArray("instances").size());
        HttpResponse<byte[]> reported = report(follower, "hand", "h-1", "ttl", "{}");
        assertEquals(400, reported.statusCode(), new String(reported.body()));
        assertTrue(HttpNodes.error(reported).get("message").getAsString().contains("ttlMillis"));
    }

    @Test
    void badRegistrationsAreRefusedNamingTheField() throws Exception {
        HttpResponse<byte[]> noAddress = register(follower, "x", "x-1", "{\"port\":1}");
        assertEquals(400, noAddress.statusCode());
        assertTrue(HttpNodes.error(noAddress).get("message").getAsString().contains("address"));
        HttpResponse<byte[]> twoChecks = register(follower, "x", "x-1", "{\"address\":\"a\",\"port\":1,"
                + "\"check\":{\"http\":\"http://a/\",\"tcp\":\"a:1\"}}");
        assertEquals(400, twoChecks.statusCode());
        HttpResponse<byte[]> badTcp = register(follower, "x", "x-1", "{\"address\":\"a\",\"port\":1,"
                + "\"check\":{\"tcp\":\"nocolon\"}}");
        assertEquals(400, badTcp.statusCode());
        HttpResponse<byte[]> unknown = register(follower, "x", "x-1", "{\"address\":\"a\",\"port\":1,\"colour\":1}");
        assertEquals(400, unknown.statusCode());
        assertTrue(HttpNodes.error(unknown).get("message").getAsString().contains("colour"));
        assertEquals(404, http.method(follower, "DELETE", "/v1/catalog/services/x/nope", null, null).statusCode());
    }
}
