package io.kvorum.client.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.kvorum.client.KvorumClient;
import com.sun.net.httpserver.HttpServer;
import io.kvorum.client.recipes.HealthStatus;
import io.kvorum.client.recipes.LoadBalancing;
import io.kvorum.client.recipes.ServiceCheck;
import io.kvorum.client.recipes.ServiceDiscovery;
import io.kvorum.client.recipes.ServiceHealth;
import io.kvorum.client.recipes.ServiceInstance;
import io.kvorum.client.recipes.ServiceRegistration;
import io.kvorum.client.recipes.ServiceRegistry;
import io.kvorum.server.http.HealthChecker;
import io.kvorum.server.http.HttpApiServer;
import io.kvorum.server.testing.InJvmCluster;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One service catalog for Java and HTTP clients: an instance registered through the
 * ServiceRegistry recipe is listed by the HTTP API, and one registered over HTTP is discovered
 * by the recipe, which leaves it out while its health check fails; checks defined on either
 * side are run, reported and read on the other.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CatalogInteropIntegrationTest {
    @TempDir
    Path dir;

    @Test
    void javaAndHttpRegistrationsSeeEachOther() throws Exception {
        try (InJvmCluster cluster = ItClients.startCluster(dir)) {
            long leader = cluster.awaitLeader();
            HttpApiServer http = new HttpApiServer(new InetSocketAddress("127.0.0.1", 0),
                    cluster.node(leader).server().calls());
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String base = "http://127.0.0.1:" + http.port();
            try (KvorumClient kv = ItClients.of(cluster)) {
                ServiceRegistry registry = new ServiceRegistry(kv);
                ServiceRegistration java = registry.register(ServiceInstance.of("orders", "10.0.0.1", 80));
                assertEquals(List.of("10.0.0.1:80"), ids(client, base, "orders", "?passing"));

                // Registered over HTTP with a TCP check on a port where nothing listens: critical.
                int nothing = InJvmCluster.freeLoopbackPort();
                HttpResponse<String> reg = client.send(HttpRequest.newBuilder(URI.create(base
                        + "/v1/catalog/services/orders/go-1")).header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString("{\"address\":\"127.0.0.1\",\"port\":" + nothing
                                + ",\"check\":{\"tcp\":\"127.0.0.1:" + nothing + "\",\"interval\":\"200ms\"}}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, reg.statusCode(), reg.body());
                assertEquals(List.of("10.0.0.1:80", "go-1"), ids(client, base, "orders", ""));

                try (ServiceDiscovery d = registry.discover("orders", LoadBalancing.WEIGHTED_ROUND_ROBIN)) {
                    await().atMost(Duration.ofSeconds(10)).until(() -> d.instances().stream()
                            .map(ServiceInstance::id).toList().equals(List.of("10.0.0.1:80")));
                    // Re-registered without a check: passing, so Java discovers it.
                    client.send(HttpRequest.newBuilder(URI.create(base + "/v1/catalog/services/orders/go-1"))
                            .header("Content-Type", "application/json")
                            .PUT(HttpRequest.BodyPublishers.ofString("{\"address\":\"127.0.0.1\",\"port\":9}"))
                            .build(), HttpResponse.BodyHandlers.ofString());
                    await().atMost(Duration.ofSeconds(10)).until(() -> d.instances().stream()
                            .map(ServiceInstance::id).toList().equals(List.of("10.0.0.1:80", "go-1")));
                    assertEquals(9, d.instances().get(1).port());
                }
                java.close();
                await().atMost(Duration.ofSeconds(10)).until(() -> ids(client, base, "orders", "").equals(List.of("go-1")));
            } finally {
                http.close();
            }
        }
    }

    private static HttpResponse<String> send(HttpClient client, String method, String url, String json)
            throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(20)).method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonObject httpInstance(HttpClient client, String base, String name, String id) throws Exception {
        HttpResponse<String> r = send(client, "GET", base + "/v1/health/service/" + name, null);
        for (JsonElement e : JsonParser.parseString(r.body()).getAsJsonObject().getAsJsonArray("instances")) {
            if (e.getAsJsonObject().get("id").getAsString().equals(id)) {
                return e.getAsJsonObject();
            }
        }
        return null;
    }

    private static HealthStatus javaStatus(ServiceRegistry registry, String name, String id) {
        return registry.health(name).stream().filter(h -> h.instance().id().equals(id)).findFirst()
                .map(ServiceHealth::status).orElse(null);
    }

    @Test
    void checksAndStatusesAreSharedBetweenJavaAndHttp() throws Exception {
        HttpServer service = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        service.createContext("/health", ex -> {
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        service.start();
        String healthUrl = "http://127.0.0.1:" + service.getAddress().getPort() + "/health";
        try (InJvmCluster cluster = ItClients.startCluster(dir)) {
            long leader = cluster.awaitLeader();
            HttpApiServer http = new HttpApiServer(new InetSocketAddress("127.0.0.1", 0),
                    cluster.node(leader).server().calls());
            // What a server runs beside its HTTP port (and without one): the catalog's checks.
            HealthChecker checks = HealthChecker.start(cluster.node(leader).server().calls());
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String base = "http://127.0.0.1:" + http.port();
            try (KvorumClient kv = ItClients.of(cluster)) {
                ServiceRegistry registry = new ServiceRegistry(kv);

                // Java registers with an HTTP check and a TTL check; the cluster runs the HTTP check.
                registry.put(ServiceInstance.of("pay", "127.0.0.1", 9).withId("java-1").withDatacenter("ams")
                        .withChecks(ServiceCheck.http(healthUrl, Duration.ofMillis(200)),
                                ServiceCheck.ttl(Duration.ofSeconds(30))));
                JsonObject seen = httpInstance(client, base, "pay", "java-1");
                assertEquals("critical", seen.get("status").getAsString(), "nothing checked or reported yet");
                assertEquals("ams", seen.get("datacenter").getAsString());
                assertTrue(registry.report("pay", "java-1", "ttl", HealthStatus.PASSING, "up"));
                await().atMost(Duration.ofSeconds(20)).until(() -> httpInstance(client, base, "pay", "java-1")
                        .get("status").getAsString().equals("passing"));
                assertEquals(List.of("java-1"), ids(client, base, "pay", "?passing"));

                // Reported warning over HTTP: Java sees the status and the note, and picks it no more.
                HttpResponse<String> warn = send(client, "PUT", base + "/v1/catalog/services/pay/java-1/checks/ttl",
                        "{\"status\":\"warning\",\"note\":\"slow disk\"}");
                assertEquals(200, warn.statusCode(), warn.body());
                ServiceHealth h = registry.health("pay").get(0);
                assertEquals(HealthStatus.WARNING, h.status());
                assertEquals("slow disk", h.checks().get(1).output());
                assertEquals(List.of(), registry.readInstances("pay"));

                // Registered over HTTP with a TTL check; reported from Java.
                assertEquals(200, send(client, "PUT", base + "/v1/catalog/services/pay/py-1",
                        "{\"address\":\"10.0.0.2\",\"port\":80,\"checks\":[{\"ttl\":\"30s\"}]}").statusCode());
                assertEquals(HealthStatus.PASSING, javaStatus(registry, "pay", "py-1"));
                assertTrue(registry.report("pay", "py-1", "ttl", HealthStatus.CRITICAL, "out of memory"));
                assertEquals("critical", httpInstance(client, base, "pay", "py-1").get("status").getAsString());
                assertFalse(registry.report("pay", "py-1", "ttl", HealthStatus.CRITICAL, "out of memory"),
                        "an unchanged report writes nothing");

                registry.deregister("pay", "java-1");
                assertEquals(List.of("py-1"), ids(client, base, "pay", ""));
            } finally {
                checks.close();
                http.close();
                service.stop(0);
            }
        }
    }

    private static List<String> ids(HttpClient client, String base, String name, String query) throws Exception {
        HttpResponse<String> r = send(client, "GET", base + "/v1/health/service/" + name + query, null);
        List<String> ids = new ArrayList<>();
        for (JsonElement e : JsonParser.parseString(r.body()).getAsJsonObject().getAsJsonArray("instances")) {
            ids.add(e.getAsJsonObject().get("id").getAsString());
        }
        return ids;
    }
}
