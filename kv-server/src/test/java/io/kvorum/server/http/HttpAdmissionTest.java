package io.kvorum.server.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.server.api.AdmissionLimits;
import io.kvorum.server.testing.InJvmCluster;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP requests pass the client port's admission control: with the node's reads in flight at
 * their limit, one more HTTP read is answered 503 OVERLOADED with Retry-After at once, having
 * done nothing, and is served again once the permit is back.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpAdmissionTest {
    @TempDir
    Path dir;

    @Test
    void overTheInFlightLimitARequestGets503WithRetryAfter() throws Exception {
        try (InJvmCluster cluster = new InJvmCluster(dir, 1, "http-admission")) {
            cluster.admission(new AdmissionLimits(1, 1, Duration.ofMillis(1500), 4, 8, 5_000));
            cluster.startAll();
            cluster.awaitLeader();
            try (HttpNodes http = new HttpNodes(cluster)) {
                http.start(1);
                assertEquals(201, http.text(1, "POST", "/v1/nodes/a", "x").statusCode());
                // A serializable read waiting for a revision the node will not reach soon holds
                // the only read permit until its deadline.
                CompletableFuture<HttpResponse<byte[]>> holder = http.client.sendAsync(HttpRequest.newBuilder(
                        http.uri(1, "/v1/nodes/a?consistency=serializable&minRevision=1000000000")).GET().build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> cluster.node(1).server().admission().inFlightReads() == 1);
                HttpResponse<byte[]> refused = http.get(1, "/v1/nodes/a");
                assertEquals(503, refused.statusCode());
                assertEquals("OVERLOADED", HttpNodes.reason(refused));
                assertEquals("2", refused.headers().firstValue("Retry-After").orElse(""));
                assertTrue(cluster.node(1).server().admission().refusedReads() >= 1);
                holder.cancel(true);
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> cluster.node(1).server().admission().inFlightReads() == 0);
                assertEquals(200, http.get(1, "/v1/nodes/a").statusCode());
            }
        }
    }
}
