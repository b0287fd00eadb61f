package io.kvorum.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpServer;
import io.kvorum.client.KvorumClient;
import io.kvorum.client.recipes.HealthStatus;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * kvorum service register|deregister|list|health|watch, called as a user would, against the
 * shared cluster; what the CLI registers is read by the Java recipe and over HTTP, and the
 * other way round.
 */
class ServiceCommandsTest {
    static String ep;

    @BeforeAll
    static void cluster() {
        ep = SharedCluster.endpoints();
    }

    static Run.Result kv(String... args) {
        return DataCommandsTest.kv(args);
    }

    static Run.Result ok(String... args) {
        return DataCommandsTest.ok(args);
    }

    static JsonObject json(Run.Result r) {
        return JsonParser.parseString(r.out()).getAsJsonObject();
    }

    private static KvorumClient client() {
        return KvorumClient.builder().endpoints(ep).build();
    }

    @Test
    void registerListHealthAndDeregister() {
        Run.Result reg = ok("service", "register", "cart", "--address", "10.0.0.5", "--port", "8080", "--tag", "v2",
                "--meta", "zone=eu-1", "--weight", "3", "--datacenter", "ams", "--ttl-check", "30s");
        assertEquals("/services/cart/10.0.0.5:8080 critical", reg.out().strip(), "a TTL check waits for its report");
        ok("service", "register", "cart", "--id", "c-2", "--address", "10.0.0.6", "--port", "8080");

        Run.Result list = ok("service", "list", "-o", "json");
        JsonObject cart = json(list).getAsJsonObject("services").getAsJsonObject("cart");
        assertEquals(2, cart.get("instances").getAsInt());
        assertEquals(1, cart.get("passing").getAsInt());
        assertEquals(1, cart.get("critical").getAsInt());
        assertEquals("v2", cart.getAsJsonArray("tags").get(0).getAsString());
        assertTrue(ok("service", "list").lines().stream().anyMatch(l -> l.matches("cart\\s+2\\s+1\\s+0\\s+1\\s+v2")),
                () -> ok("service", "list").out());

        // The Java recipe reads the CLI's entry, checks and all, and reports the TTL check.
        try (KvorumClient c = client()) {
            ServiceRegistry registry = new ServiceRegistry(c);
            ServiceInstance seen = registry.health("cart").get(0).instance();
            assertEquals(3, seen.weight());
            assertEquals("ams", seen.datacenter());
            assertEquals("ttl", seen.checks().get(0).id());
            assertEquals(List.of("c-2"), registry.readInstances("cart").stream().map(ServiceInstance::id).toList());
            registry.report("cart", "10.0.0.5:8080", "ttl", HealthStatus.WARNING, "slow");

            Run.Result health = ok("service", "health", "cart");
            assertEquals(List.of("ID", "10.0.0.5:8080", "c-2"), health.lines().stream()
                    .map(l -> l.split("\\s+")[0]).toList(), health::toString);
            assertTrue(health.lines().get(1).matches("10\\.0\\.0\\.5:8080\\s+warning\\s+10\\.0\\.0\\.5\\s+8080\\s+"
                    + "ttl=warning\\(slow\\)"), health.lines().get(1));
            assertEquals(List.of("c-2"), ids(ok("service", "health", "cart", "--passing", "-o", "json")));
            assertEquals(List.of("10.0.0.5:8080"), ids(ok("service", "health", "cart", "--status", "warning",
                    "-o", "json")));
            assertEquals(List.of("10.0.0.5:8080"), ids(ok("service", "health", "cart", "--tag", "v2", "-o", "json")));
            assertEquals(List.of(), ids(ok("service", "health", "cart", "--datacenter", "dc9", "-o", "json")));
        }

        Run.Result dereg = ok("service", "deregister", "cart", "c-2", "-o", "json");
        assertEquals("/services/cart/c-2", json(dereg).get("path").getAsString());
        Run.Result again = kv("service", "deregister", "cart", "c-2");
        assertEquals(ExitCodes.NO_NODE, again.exit(), again::toString);
        assertEquals(List.of(), ids(ok("service", "health", "nothing-here", "-o", "json")));
    }

    @Test
    void badRegistrationsAreUsageErrors() {
        Run.Result noPort = kv("service", "register", "x", "--address", "a");
        assertEquals(ExitCodes.USAGE, noPort.exit(), noPort::toString);
        assertTrue(noPort.err().contains("--port"), noPort::toString);
        Run.Result badUrl = kv("service", "register", "x", "--address", "a", "--port", "1", "--http-check", "ftp://a");
        assertEquals(ExitCodes.USAGE, badUrl.exit(), badUrl::toString);
        assertTrue(badUrl.err().contains("http://"), badUrl::toString);
        Run.Result badTcp = kv("service", "register", "x", "--address", "a", "--port", "1", "--tcp-check", "a");
        assertEquals(ExitCodes.USAGE, badTcp.exit(), badTcp::toString);
        Run.Result badStatus = kv("service", "health", "x", "--status", "fine");
        assertEquals(ExitCodes.USAGE, badStatus.exit(), badStatus::toString);
        Run.Result badId = kv("service", "register", "x", "--id", "a/b", "--address", "a", "--port", "1");
        assertEquals(ExitCodes.USAGE, badId.exit(), badId::toString);
    }

    @Test
    void watchPrintsTheInstancesAtEachChange() {
        Run.Background w = Run.with().start("--endpoints", ep, "service", "watch", "orders", "-o", "json")
                .awaitErr("watching");
        w.awaitLines(1);
        assertEquals(List.of(), ids(w.lines().get(0)));
        try (KvorumClient c = client()) {
            ServiceRegistry registry = new ServiceRegistry(c);
            ServiceRegistration java = registry.register(ServiceInstance.of("orders", "10.0.0.1", 80));
            w.awaitLines(2);
            assertEquals(List.of("10.0.0.1:80"), ids(w.lines().get(1)));
            ok("service", "register", "orders", "--id", "o-2", "--address", "10.0.0.2", "--port", "80",
                    "--ttl-check", "1m");
            w.awaitLines(3);
            assertEquals(List.of("10.0.0.1:80", "o-2"), ids(w.lines().get(2)));
            registry.report("orders", "o-2", "ttl", HealthStatus.PASSING, "");
            w.awaitLines(4);
            JsonObject last = JsonParser.parseString(w.lines().get(3)).getAsJsonObject();
            assertEquals("passing", last.getAsJsonArray("instances").get(1).getAsJsonObject().get("status")
                    .getAsString());
            java.close();
            w.awaitLines(5);
            assertEquals(List.of("o-2"), ids(w.lines().get(4)));
        }
        Run.Result r = w.interrupt().await();
        assertEquals(0, r.exit(), r::toString);
    }

    @Test
    void anHttpCheckRegisteredFromTheCliIsRunByTheClusterAndSeenOverHttp() throws Exception {
        HttpServer service = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        service.createContext("/health", ex -> {
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        service.start();
        InJvmCluster cluster = SharedCluster.get();
        List<HttpApiServer> servers = new ArrayList<>();
        List<HealthChecker> checkers = new ArrayList<>();
        try {
            for (long id : cluster.runningIds()) {
                servers.add(new HttpApiServer(new InetSocketAddress("127.0.0.1", 0), cluster.node(id).server().calls()));
                checkers.add(HealthChecker.start(cluster.node(id).server().calls()));
            }
            String url = "http://127.0.0.1:" + service.getAddress().getPort() + "/health";
            ok("service", "register", "web", "--id", "w-1", "--address", "127.0.0.1", "--port", "80",
                    "--http-check", url, "--check-interval", "200ms");
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    ok("service", "health", "web", "--passing").lines().size() == 2);

            // Registered over HTTP: the CLI lists it.
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + servers.get(0).port() + "/v1/catalog/services/web/py-1")).header("Content-Type",
                    "application/json").PUT(HttpRequest.BodyPublishers.ofString("{\"address\":\"10.0.0.3\","
                    + "\"port\":81}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, put.statusCode(), put.body());
            HttpResponse<String> overHttp = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + servers.get(0).port() + "/v1/health/service/web?passing")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(List.of("py-1", "w-1"), ids(overHttp.body()));
            assertEquals(List.of("py-1", "w-1"), ids(ok("service", "health", "web", "--passing", "-o", "json")));
        } finally {
            checkers.forEach(HealthChecker::close);
            servers.forEach(HttpApiServer::close);
            service.stop(0);
        }
    }

    private static List<String> ids(Run.Result r) {
        return ids(r.out());
    }

    private static List<String> ids(String json) {
        List<String> out = new ArrayList<>();
        JsonParser.parseString(json).getAsJsonObject().getAsJsonArray("instances")
                .forEach(e -> out.add(e.getAsJsonObject().get("id").getAsString()));
        return out;
    }
}
