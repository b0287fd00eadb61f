package io.kvorum.server.http;

import static io.kvorum.server.http.HttpNodes.reason;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.server.testing.InJvmCluster;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A node cut off from its quorum answers 503 NO_LEADER with Retry-After over HTTP. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class UnavailableHttpTest {
    @TempDir
    Path dir;

    @Test
    void aNodeWithoutALeaderAnswers503WithRetryAfter() throws Exception {
        try (InJvmCluster cluster = new InJvmCluster(dir, 3, "http-unavailable")) {
            cluster.startAll();
            long leader = cluster.awaitLeader();
            long alone = cluster.other(leader);
            try (HttpNodes http = new HttpNodes(cluster)) {
                http.start(alone);
                assertEquals(201, http.text(alone, "POST", "/v1/nodes/before", "x").statusCode());
                for (long id : cluster.runningIds().stream().filter(id -> id != alone).toList()) {
                    cluster.stop(id);
                }
                AtomicReference<HttpResponse<byte[]>> last = new AtomicReference<>();
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
                    last.set(http.text(alone, "POST", "/v1/nodes/after", "x"));
                    return last.get().statusCode() == 503;
                });
                assertEquals("NO_LEADER", reason(last.get()));
                assertTrue(last.get().headers().firstValue("Retry-After").isPresent());
            }
        }
    }
}
