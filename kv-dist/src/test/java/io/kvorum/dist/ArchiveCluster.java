package io.kvorum.dist;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Three nodes run from the unpacked release archive, on loopback ports picked free (also on
 * 127.0.0.2, where a node may move), with the archive's bin/kvorum as their client. Every
 * process is stopped by its own handle on {@link #close()}.
 */
final class ArchiveCluster implements AutoCloseable {
    /** Generous: on a machine shared with other builds a JVM may take tens of seconds to start. */
    static final Duration WAIT = Duration.ofSeconds(90);

    final Path home;
    final Path dir;
    final List<NodeProcess> nodes = new ArrayList<>();

    ArchiveCluster(Path dir) throws IOException, InterruptedException {
        this.home = ReleaseArchive.home();
        this.dir = dir;
        for (int id = 1; id <= 3; id++) {
            nodes.add(new NodeProcess(id, "127.0.0.1", freePort(), freePort(), freePort(),
                    dir.resolve("node-" + id + ".log")));
            Files.createDirectories(dataDir(id));
        }
    }

    private static int freePort() {
        return Ports.free(Ports.loopback(1), Ports.loopback(2));
    }

    NodeProcess node(long id) {
        return nodes.get((int) id - 1);
    }

    /** Node {@code id} from now on is {@code replacement} (the old process must be gone). */
    void replace(NodeProcess replacement) {
        nodes.set((int) replacement.id - 1, replacement);
    }

    Path dataDir(long id) {
        return dir.resolve("data-" + id);
    }

    /** id=host:peerPort,... with each node's host given by {@code hostOf}. */
    String initialCluster(Function<NodeProcess, String> hostOf) {
        return nodes.stream().map(n -> n.id + "=" + hostOf.apply(n) + ":" + n.peerPort)
                .collect(Collectors.joining(","));
    }

    String endpoints() {
        return nodes.stream().map(NodeProcess::clientAddress).collect(Collectors.joining(","));
    }

    /** The environment a process from the archive runs in, plus {@code extra}. */
    Map<String, String> env(Map<String, String> extra) throws IOException, InterruptedException {
        Map<String, String> env = new HashMap<>(ReleaseArchive.environment());
        env.putAll(extra);
        return env;
    }

    /** Waits until every node named answers /status and all name the same leader; returns it. */
    long awaitLeader(List<NodeProcess> running) {
        long[] leader = {0};
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
            List<Long> seen = running.stream().map(n -> n.statusField("leaderId")).distinct().toList();
            leader[0] = seen.get(0);
            return seen.size() == 1 && leader[0] > 0;
        });
        return leader[0];
    }

    /**
     * bin/kvorum from the archive with {@code args}. Calls get 30 s (not the default 5 s): the
     * machine may be busy with other builds, and an election or a reconnect may be under way.
     */
    ProcessRun cli(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(home.resolve("bin/kvorum").toString(), "--timeout=30s"));
        cmd.addAll(List.of(args));
        return ProcessRun.run(cmd, dir, env(Map.of()), 90);
    }

    /** SIGTERM to every node; each must exit on its own and log its clean stop. */
    void stopAll() throws InterruptedException {
        for (NodeProcess n : nodes) {
            int code = n.terminate(30);
            assertTrue(code == 0 || code == 143, "node " + n.id + " exited " + code + ":\n" + n.log());
            assertTrue(n.log().contains("node " + n.id + " stopped"), n.log());
        }
    }

    static void assertOk(ProcessRun run, String expectedOutput) {
        assertEquals(0, run.exitCode(), run.output());
        assertEquals(expectedOutput, run.output().strip());
    }

    @Override
    public void close() {
        nodes.forEach(NodeProcess::close);
    }
}
