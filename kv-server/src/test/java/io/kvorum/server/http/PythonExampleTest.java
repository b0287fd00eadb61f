package io.kvorum.server.http;

import static io.kvorum.server.http.HttpNodes.body;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import io.kvorum.server.testing.InJvmCluster;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/python/kvorum_service.py, run with the machine's python3 (skipped without one)
 * against a real node's HTTP API: it registers with a TTL check that its reports keep passing,
 * discovers itself, follows its configuration with blocking queries, and deregisters on exit.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PythonExampleTest {
    static final Path EXAMPLE = Path.of("..", "examples", "python", "kvorum_service.py");

    @TempDir
    Path dir;

    private static boolean python3() {
        try {
            Process p = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Test
    void theExampleRegistersKeepsAliveDiscoversAndFollowsItsConfig() throws Exception {
        assumeTrue(python3(), "python3 is not installed");
        assertTrue(Files.isRegularFile(EXAMPLE), "the example is at " + EXAMPLE.toAbsolutePath());
        try (InJvmCluster cluster = new InJvmCluster(dir, 1, "python");
             HttpNodes http = new HttpNodes(cluster)) {
            cluster.startAll();
            long node = cluster.awaitLeader();
            http.start(node);
            assertEquals(201, http.text(node, "POST", "/v1/nodes/config", "").statusCode());
            assertEquals(201, http.text(node, "POST", "/v1/nodes/config/hello", "v1").statusCode());

            Process p = new ProcessBuilder("python3", EXAMPLE.toString(), "--url",
                    "http://127.0.0.1:" + http.server(node).port(), "--name", "hello", "--id", "hello-1",
                    "--port", "8000", "--ttl", "2s", "--changes", "1", "--verbose").redirectErrorStream(true).start();
            List<String> lines = new CopyOnWriteArrayList<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    r.lines().forEach(lines::add);
                } catch (IOException ended) {
                    // the process is gone
                }
            });
            reader.start();
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> lines.stream().anyMatch(l -> l.startsWith("config ")));
                assertTrue(lines.contains("registered hello/hello-1: passing"), lines::toString);
                assertTrue(lines.contains("discovered hello-1 at 127.0.0.1:8000"), lines::toString);
                assertTrue(lines.stream().anyMatch(l -> l.startsWith("config /config/hello = v1")), lines::toString);

                // Its reports (every 2/3 s) keep the 2 s TTL check passing, with its note, past twice the TTL.
                await().atMost(Duration.ofSeconds(20)).until(() -> note(http, node).equals("serving"));
                JsonObject first = instance(http, node);
                long reportedBefore = reports(lines);
                await().atMost(Duration.ofSeconds(30)).until(() -> reports(lines) >= reportedBefore + 7);
                JsonObject later = instance(http, node);
                assertEquals("passing", later.get("status").getAsString(), later::toString);
                assertEquals(first.getAsJsonArray("checks").get(0).getAsJsonObject().get("session"),
                        later.getAsJsonArray("checks").get(0).getAsJsonObject().get("session"),
                        "one session, kept alive");

                assertEquals(200, http.text(node, "PUT", "/v1/nodes/config/hello", "v2").statusCode());
                assertTrue(p.waitFor(60, TimeUnit.SECONDS), lines::toString);
                reader.join(10_000);
                assertEquals(0, p.exitValue(), lines::toString);
                assertTrue(lines.stream().anyMatch(l -> l.startsWith("config /config/hello changed to v2")),
                        lines::toString);
                assertTrue(lines.contains("deregistered hello/hello-1"), lines::toString);
                assertEquals(0, body(http.get(node, "/v1/health/service/hello")).getAsJsonArray("instances").size());
            } finally {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static long reports(List<String> lines) {
        return lines.stream().filter(l -> l.equals("reported passing")).count();
    }

    private static JsonObject instance(HttpNodes http, long node) throws Exception {
        HttpResponse<byte[]> r = http.get(node, "/v1/health/service/hello");
        return body(r).getAsJsonArray("instances").get(0).getAsJsonObject();
    }

    private static String note(HttpNodes http, long node) throws Exception {
        return instance(http, node).getAsJsonArray("checks").get(0).getAsJsonObject().get("output").getAsString();
    }
}
