package io.kvorum.dist;

import static io.kvorum.dist.ArchiveCluster.assertOk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container entrypoint outside a container: three nodes from the archive configured by
 * environment variables alone, each process becoming the server JVM itself (so the
 * container's SIGTERM reaches the server), stopping gracefully on SIGTERM. Also the systemd
 * unit's readiness wait, bin/kvorum-await-admin, against one of them.
 */
@Timeout(300)
class EntrypointIT {
    @TempDir
    Path work;

    @Test
    void threeNodesStartFromVariablesAndStopOnSigterm() throws Exception {
        try (ArchiveCluster cluster = new ArchiveCluster(work)) {
            String initial = cluster.initialCluster(n -> n.host);
            for (NodeProcess n : cluster.nodes) {
                n.start(List.of(cluster.home.resolve("bin/kvorum-entrypoint").toString()), cluster.env(Map.of(
                        "KVORUM_ID", Long.toString(n.id),
                        "KVORUM_DATA_DIR", cluster.dataDir(n.id).toString(),
                        "KVORUM_CLIENT_LISTEN", n.host + ":" + n.clientPort,
                        "KVORUM_PEER_LISTEN", n.host + ":" + n.peerPort,
                        "KVORUM_ADMIN_LISTEN", n.host + ":" + n.adminPort,
                        "KVORUM_INITIAL_CLUSTER", initial,
                        "KVORUM_CLUSTER_ID", "entrypoint-it",
                        "JAVA_OPTS", "-Xmx128m -XX:TieredStopAtLevel=1")), cluster.dir);
            }
            cluster.awaitLeader(cluster.nodes);
            for (NodeProcess n : cluster.nodes) {
                // The entrypoint and the launcher exec: the process started is the server's JVM.
                List<String> args = List.of(n.handle().info().arguments().orElseThrow());
                assertTrue(n.handle().info().command().orElseThrow().endsWith("/java"), n.handle().info().toString());
                assertTrue(args.contains("-XX:MaxRAMPercentage=50") && args.contains("-Xmx128m"), args.toString());
                assertEquals(n.id, n.statusField("id"));
            }
            // What kvorum.service runs after start: it sees a node's admin port answer, and not a closed one.
            NodeProcess first = cluster.nodes.get(0);
            ProcessRun up = awaitAdmin(cluster, first.host + ":" + first.adminPort, "20");
            assertEquals(0, up.exitCode(), up.output());
            ProcessRun down = awaitAdmin(cluster, "127.0.0.1:" + Ports.free(Ports.loopback(1)), "1");
            assertEquals(1, down.exitCode(), down.output());
            assertTrue(down.output().startsWith("kvorum-await-admin: no answer on 127.0.0.1:"), down.output());

            String endpoints = "--endpoints=" + cluster.endpoints();
            assertOk(cluster.cli(endpoints, "create", "/entrypoint", "env"), "/entrypoint");
            assertOk(cluster.cli(endpoints, "get", "/entrypoint"), "env");

            cluster.stopAll();
            for (NodeProcess n : cluster.nodes) {
                assertTrue(n.log().contains("shutting down node " + n.id), n.log());
            }
        }
    }

    private static ProcessRun awaitAdmin(ArchiveCluster cluster, String adminListen, String seconds) throws Exception {
        return ProcessRun.run(List.of(cluster.home.resolve("bin/kvorum-await-admin").toString(), seconds), cluster.dir,
                cluster.env(Map.of("KVORUM_ADMIN_LISTEN", adminListen)), 60);
    }
}
