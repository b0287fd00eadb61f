package io.kvorum.jepsen.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.client.KvorumClient;
import io.kvorum.jepsen.checker.Verdict;
import io.kvorum.jepsen.harness.ClusterSpec;
import io.kvorum.jepsen.harness.ProcessCluster;
import io.kvorum.jepsen.harness.ServerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The live self-check against three real servers: linearizable, with figures, and nothing left behind. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LiveCheckTest {
    @TempDir
    Path dir;

    @Test
    void aHealthyClusterIsLinearizableAndTheCheckCleansUp() throws Exception {
        try (ProcessCluster cluster = ProcessCluster.start(ClusterSpec.of(3), dir)) {
            cluster.awaitLeader(Duration.ofSeconds(120));
            List<String> endpoints = cluster.nodes().stream().map(ServerProcess::clientAddress).toList();
            LiveCheck.Result r = LiveCheck.run(endpoints, Duration.ofSeconds(5), 3, Duration.ofSeconds(30), 7);
            assertEquals(Verdict.VALID, r.check().verdict(), r.check().summary());
            assertTrue(r.ok() > 0, "completed operations: " + r.ok());
            assertTrue(r.p50Millis() > 0 && r.p50Millis() <= r.p99Millis() && r.p99Millis() <= r.maxMillis());
            assertTrue(r.cleanedUp(), r.errors().toString());
            try (KvorumClient client = KvorumClient.builder().endpoints(endpoints.toArray(String[]::new))
                    .defaultDeadline(Duration.ofSeconds(10)).build()) {
                assertTrue(client.children("/").stream().noneMatch(c -> c.startsWith("kvorum-check-")),
                        client.children("/").toString());
            }
        }
    }
}
