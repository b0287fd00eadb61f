package io.kvorum.client.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.client.KvorumClient;
import io.kvorum.server.api.AdmissionLimits;
import io.kvorum.server.testing.InJvmCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node refusing work as OVERLOADED is not a failure to the client: it backs off for the hint
 * the node gave (jittered) and retries within the call's deadline, so a burst far over what
 * the nodes admit completes, every write once.
 */
class OverloadRetryIntegrationTest {
    private static final int WRITES = 400;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "batching {0}")
    @ValueSource(booleans = {false, true})
    void refusedWritesAndReadsAreRetriedWithinTheirDeadlineAndAppliedOnce(boolean batching) throws Exception {
        try (InJvmCluster cluster = new InJvmCluster(dir, 3, "overload-retry")) {
            cluster.admission(new AdmissionLimits(4, 4, Duration.ofMillis(20), 100, 10_000, 5_000));
            cluster.startAll();
            cluster.awaitLeader();
            // The door admits and refuses per call, unary or a Batch stream's item alike.
            try (KvorumClient client = ItClients.builder(cluster).batching(batching)
                    .defaultDeadline(Duration.ofSeconds(60)).build()) {
                client.create("/r", new byte[0]);
                List<CompletableFuture<?>> calls = new ArrayList<>();
                for (int i = 0; i < WRITES; i++) {
                    calls.add(client.async().create("/r/n" + i, ("v" + i).getBytes(StandardCharsets.UTF_8)));
                    calls.add(client.async().get("/r"));
                }
                for (CompletableFuture<?> f : calls) {
                    f.get(90, TimeUnit.SECONDS); // none may fail: refusals are retried
                }
                assertEquals(WRITES, client.children("/r").size());
                long refused = cluster.runningIds().stream().mapToLong(id -> {
                    var door = cluster.node(id).server().admission();
                    return door.refusedWrites() + door.refusedReads();
                }).sum();
                System.out.println("overload retry: " + refused + " refusals retried by the client");
                assertTrue(refused > 0, "the burst never overloaded a node: the test proves nothing");
            }
        }
    }
}
