package io.kvorum.client.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.client.ClusterUnavailableException;
import io.kvorum.client.KvorumClient;
import io.kvorum.client.RequestOptions;
import io.kvorum.client.WatchEvent;
import io.kvorum.client.WatchSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Done-criterion 5: with every endpoint down, each call fails within its deadline with an
 * exception that says the cluster is unreachable and lists the endpoints tried; when the nodes
 * return, the same client works again by itself (calls, and its watch catches up).
 */
class UnreachableClusterIntegrationTest {
    @TempDir
    Path dir;

    @Test
    void callsFailWithinTheirDeadlineWhileAllNodesAreDownAndRecoverWhenTheyReturn() throws Exception {
        try (RealCluster cluster = new RealCluster(dir, 3).startAll();
             KvorumClient client = ItClients.of(cluster)) {
            client.create("/u", "before".getBytes());
            List<WatchEvent> events = new CopyOnWriteArrayList<>();
            client.watch(WatchSpec.node("/u").fromRevision(client.lastSeenRevision() + 1), events::add);

            cluster.stopAll();
            Duration deadline = Duration.ofMillis(1500);
            for (int i = 0; i < 3; i++) {
                long start = System.nanoTime();
                ClusterUnavailableException e = assertThrows(ClusterUnavailableException.class,
                        () -> client.get("/u", RequestOptions.deadline(deadline)));
                long millis = (System.nanoTime() - start) / 1_000_000;
                // Decided within the deadline; the slack is for waking this thread on a busy machine.
                assertTrue(millis <= deadline.toMillis() + 300, "failed after " + millis + " ms");
                assertTrue(e.getMessage().contains("unreachable"), e.getMessage());
                assertEquals(3, e.endpointsTried().size(), e.getMessage());
            }
            long start = System.nanoTime();
            ClusterUnavailableException w = assertThrows(ClusterUnavailableException.class,
                    () -> client.set("/u", "during".getBytes(), -1, RequestOptions.deadline(deadline)));
            assertTrue((System.nanoTime() - start) / 1_000_000 <= deadline.toMillis() + 300);
            assertTrue(w.getMessage().contains("unreachable"), w.getMessage());

            cluster.restartStopped();
            cluster.awaitLeader();
            // No new client, no reset: the next calls succeed once the client's probes reconnect.
            await().atMost(Duration.ofSeconds(15)).ignoreExceptions()
                    .until(() -> client.get("/u", RequestOptions.deadline(Duration.ofSeconds(1))) != null);
            client.set("/u", "after".getBytes());
            assertEquals("after", client.get("/u").dataAsString());
            await().atMost(Duration.ofSeconds(10)).until(() -> events.stream()
                    .anyMatch(e -> e.type() == WatchEvent.Type.CHANGED && "after".equals(new String(e.data()))));
        }
    }
}
