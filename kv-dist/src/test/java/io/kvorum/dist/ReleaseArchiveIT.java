package io.kvorum.dist;

import static io.kvorum.dist.ArchiveCluster.assertOk;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archive built by this build ({@code mvn verify} runs this after {@code package}),
 * unpacked and run with a JRE and a shell only: no Maven, no source tree.
 */
@Timeout(300)
class ReleaseArchiveIT {
    @TempDir
    Path work;

    @Test
    void theArchiveHoldsTheToolsTheirJarsAndTheConfiguration() throws Exception {
        Path home = ReleaseArchive.home();
        for (String tool : List.of("kvorum-server", "kvorum", "kvorum-jepsen", "kvorum-entrypoint", "kvorum-await-admin")) {
            assertTrue(Files.isExecutable(home.resolve("bin").resolve(tool)), tool);
        }
        for (String module : List.of("kv-server", "kv-cli", "kv-jepsen", "kv-client", "kv-proto")) {
            assertTrue(Files.isRegularFile(home.resolve("lib/" + module + "-" + Repo.version() + ".jar")), module);
        }
        assertEquals(Repo.read("kv-dist/src/main/dist/conf/kvorum.properties"),
                Files.readString(home.resolve("conf/kvorum.properties")));
        assertEquals(Repo.read("kv-server/src/main/resources/logback.xml"), Files.readString(home.resolve("conf/logback.xml")));
        for (String f : List.of("kvorum.service", "kvorum.env", "kvorum.sysusers")) {
            assertEquals(Repo.read("deploy/systemd/" + f), Files.readString(home.resolve("systemd/" + f)), f);
        }
        assertTrue(Files.isRegularFile(home.resolve("README.md")));
    }

    /**
     * Three nodes from the archive, peers given by host name (served from a hosts file the JVMs
     * read instead of the system's), written and read through the packaged bin/kvorum; then
     * node 2 is killed and comes back on 127.0.0.2 under the same name, and the others reach it
     * there; finally every node stops on SIGTERM.
     */
    @Test
    void aClusterFromTheArchiveServesTheCliAndFollowsAPeerThatMoves() throws Exception {
        try (ArchiveCluster cluster = new ArchiveCluster(work)) {
            Path hosts = work.resolve("hosts");
            writeHosts(hosts, Map.of(1L, "127.0.0.1", 2L, "127.0.0.1", 3L, "127.0.0.1"));
            String initial = cluster.initialCluster(n -> name(n.id));
            for (NodeProcess n : cluster.nodes) {
                start(cluster, n, initial, hosts);
            }
            long leader = cluster.awaitLeader(cluster.nodes);
            assertTrue(leader >= 1 && leader <= 3);

            String endpoints = "--endpoints=" + cluster.endpoints();
            assertOk(cluster.cli(endpoints, "create", "/release", "from-the-archive"), "/release");
            assertOk(cluster.cli(endpoints, "get", "/release"), "from-the-archive");

            NodeProcess old = cluster.node(2);
            old.kill();
            writeHosts(hosts, Map.of(1L, "127.0.0.1", 2L, "127.0.0.2", 3L, "127.0.0.1"));
            NodeProcess moved = old.movedTo("127.0.0.2");
            cluster.replace(moved);
            start(cluster, moved, initial, hosts);

            String others = "--endpoints=" + cluster.node(1).clientAddress() + "," + cluster.node(3).clientAddress();
            assertOk(cluster.cli(others, "set", "/release", "moved"), "/release version 1");
            // Node 2 applies the write only if the leader reached it at its new address.
            long leaderNow = cluster.awaitLeader(List.of(cluster.node(1), cluster.node(3)));
            long commit = cluster.node(leaderNow).statusField("commitIndex");
            await().atMost(ArchiveCluster.WAIT).pollInterval(Duration.ofMillis(200))
                    .until(() -> moved.statusField("appliedIndex") >= commit);
            assertOk(cluster.cli("--endpoints=" + moved.clientAddress(), "--consistency=serializable",
                    "get", "/release"), "moved");

            cluster.stopAll();
        }
    }

    private static String name(long id) {
        return "kvorum-" + id + ".test";
    }

    /** The hosts file the servers resolve peer names with (-Djdk.net.hosts.file). */
    private static void writeHosts(Path hosts, Map<Long, String> addressById) throws IOException {
        StringBuilder b = new StringBuilder("127.0.0.1 localhost ");
        b.append(InetAddress.getLocalHost().getHostName()).append('\n');
        addressById.forEach((id, address) -> b.append(address).append(' ').append(name(id)).append('\n'));
        Path tmp = hosts.resolveSibling("hosts.new");
        Files.writeString(tmp, b.toString());
        Files.move(tmp, hosts, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static void start(ArchiveCluster cluster, NodeProcess n, String initial, Path hosts) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(cluster.home.resolve("bin/kvorum-server").toString(),
                "--id", Long.toString(n.id), "--data-dir", cluster.dataDir(n.id).toString(),
                "--client-listen", n.host + ":" + n.clientPort, "--peer-listen", n.host + ":" + n.peerPort,
                "--admin-listen", n.host + ":" + n.adminPort, "--initial-cluster", initial));
        // Names come from the hosts file alone; answers are cached 1 s (the server's own cap is 5 s).
        n.start(cmd, cluster.env(Map.of("JAVA_OPTS", "-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1"
                + " -Djdk.net.hosts.file=" + hosts + " -Dsun.net.inetaddr.ttl=1")), cluster.dir);
    }

    @Test
    void theSystemdUnitPassesSystemdAnalyzeVerify() throws Exception {
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        assumeTrue(Files.isExecutable(analyze), "systemd-analyze is not installed");
        Path home = ReleaseArchive.home();
        // The unit names the install location /opt/kvorum; verify checks that its commands exist.
        Path unit = work.resolve("kvorum.service");
        Files.writeString(unit, Files.readString(home.resolve("systemd/kvorum.service"))
                .replace("/opt/kvorum/", home + "/"));
        ProcessRun verify = ProcessRun.run(List.of(analyze.toString(), "verify", "--man=no", unit.toString()), work,
                Map.of("PATH", System.getenv("PATH")), 60);
        assertEquals(0, verify.exitCode(), verify.output());
        assertEquals("", verify.output().strip(), "systemd-analyze verify warns");
    }
}
