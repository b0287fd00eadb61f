package io.kvorum.server.api;

import static io.kvorum.server.api.Calls.retry;
import static org.awaitility.Awaitility.await;

import io.kvorum.proto.v1.TransferLeadershipRequest;
import io.kvorum.server.testing.InJvmCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --leader-preference dc2} on a cluster of node 1 in dc1 and nodes 2, 3 in dc2: leadership
 * ends up in dc2, comes back there when moved out, and then stays put.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LeaderPlacementIntegrationTest {
    private static final Set<Long> DC2 = Set.of(2L, 3L);

    @TempDir
    Path dir;
    InJvmCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void leadershipMovesIntoThePreferredDatacenterAndStaysThere() throws Exception {
        cluster = new InJvmCluster(dir, 3, "placement-test");
        List<String> prefer = List.of("dc2");
        Duration settle = Duration.ofMillis(300);
        cluster.placement(1, new Placement("dc1", "", prefer, settle))
                .placement(2, new Placement("dc2", "", prefer, settle))
                .placement(3, new Placement("dc2", "", prefer, settle));
        cluster.startAll();
        cluster.awaitLeader();
        await().atMost(Duration.ofSeconds(30)).until(() -> DC2.contains(cluster.awaitLeader()));

        // Moved out by an operator, leadership comes back after settling.
        long leader = cluster.awaitLeader();
        retry(() -> cluster.cluster(leader).transferLeadership(TransferLeadershipRequest.newBuilder().setToId(1)
                .build()));
        await().atMost(Duration.ofSeconds(30)).until(() -> DC2.contains(cluster.awaitLeader()));

        // And then it stays: same leader, same term, for several settle periods.
        long settled = cluster.awaitLeader();
        long term = cluster.node(settled).node().status().term();
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> {
            var s = cluster.node(settled).node().status();
            return "leader".equals(s.role()) && s.term() == term;
        });
    }
}
