package io.kvorum.server.http;

import static io.kvorum.server.http.HttpNodes.body;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpServer;
import io.kvorum.server.testing.InJvmCluster;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
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
        service = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        service.createContext("/health", ex -> {
            ex.sendResponseHeaders(healthStatus.get(), -1);
            ex.close();
        });
        service.start();
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
    void aCriticalInstanceIsDeregisteredAfterItsDeadline() throws Exception {
        int nothingListens = InJvmCluster.freeLoopbackPort();
        assertEquals(200, register(follower, "db", "db-1", "{\"address\":\"127.0.0.1\",\"port\":" + nothingListens
                + ",\"check\":{\"tcp\":\"127.0.0.1:" + nothingListens + "\",\"interval\":\"200ms\","
                + "\"deregisterAfter\":\"1s\"}}").statusCode());
        assertEquals("critical", status(follower, "db", "db-1"), "unchecked instances start critical");
        await().atMost(Duration.ofSeconds(20)).until(() -> status(follower, "db", "db-1").equals("absent"));
    }

    @Test
    void aTtlCheckIsASessionTheServiceKeepsAlive() throws Exception {
        HttpResponse<byte[]> r = register(follower, "batch", "b-1", "{\"address\":\"10.0.0.9\",\"port\":1,"
                + "\"check\":{\"ttl\":\"2s\"}}");
        assertEquals(200, r.statusCode(), new String(r.body()));
        long session = body(r).get("session").getAsLong();
        assertEquals("passing", status(follower, "batch", "b-1"));
        assertEquals(200, http.method(follower, "POST", "/v1/sessions/" + session + "/keepalive", null, null)
                .statusCode());
        // No more keep-alives: the session expires and the instance goes.
        await().atMost(Duration.ofSeconds(20)).until(() -> status(follower, "batch", "b-1").equals("absent"));
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
