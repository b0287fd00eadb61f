package io.kvorum.client.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import io.kvorum.client.KvorumClient;
import io.kvorum.client.recipes.LoadBalancing;
import io.kvorum.client.recipes.ServiceDiscovery;
import io.kvorum.client.recipes.ServiceInstance;
import io.kvorum.client.recipes.ServiceRegistration;
import io.kvorum.client.recipes.ServiceRegistry;
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
 * by the recipe, which leaves it out while its health check fails.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CatalogInteropIntegrationTest {
    @TempDir
    Path dir;

    private static List<String> httpIds(HttpClient client, String base, String query) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + "/v1/health/service/orders"
                + query)).timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofString());
        List<String> ids = new ArrayList<>();
        for (JsonElement e : JsonParser.parseString(r.body()).getAsJsonObject().getAsJsonArray("instances")) {
            ids.add(e.getAsJsonObject().get("id").getAsString());
        }
        return ids;
    }

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
                assertEquals(List.of("10.0.0.1:80"), httpIds(client, base, "?passing"));

                // Registered over HTTP with a TCP check on a port where nothing listens: critical.
                int nothing = InJvmCluster.freeLoopbackPort();
                HttpResponse<String> reg = client.send(HttpRequest.newBuilder(URI.create(base
                        + "/v1/catalog/services/orders/go-1")).header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString("{\"address\":\"127.0.0.1\",\"port\":" + nothing
                                + ",\"check\":{\"tcp\":\"127.0.0.1:" + nothing + "\",\"interval\":\"200ms\"}}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, reg.statusCode(), reg.body());
                assertEquals(List.of("10.0.0.1:80", "go-1"), httpIds(client, base, ""));

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
                await().atMost(Duration.ofSeconds(10)).until(() -> httpIds(client, base, "").equals(List.of("go-1")));
            } finally {
                http.close();
            }
        }
    }
}
