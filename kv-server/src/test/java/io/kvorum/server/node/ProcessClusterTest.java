package io.kvorum.server.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real {@code kvorum-server} processes on loopback, killed with SIGKILL, observed through
 * their admin ports. Every process started is destroyed by its handle in {@link #stopAll()}.
 */
class ProcessClusterTest {
    @TempDir
    Path dir;
    private final Map<Long, Process> processes = new HashMap<>();
    private final Map<Long, Integer> adminPorts = new HashMap<>();
    private String initialCluster;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    @AfterEach
    void stopAll() throws IOException {
        if (System.getProperty("keep.logs") != null) {
            for (long id = 1; id <= 3; id++) {
                Path log = dir.resolve("node-" + id + ".log");
                if (java.nio.file.Files.exists(log)) {
                    java.nio.file.Files.copy(log, Path.of(System.getProperty("keep.logs"), "node-" + id + ".log"),
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        for (Process p : processes.values()) {
            p.destroyForcibly();
        }
        for (Process p : processes.values()) {
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void start(long id) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                "io.kvorum.server.KvorumServer", "--id", Long.toString(id), "--data-dir",
                dir.resolve("node-" + id).toString(), "--client-listen", "127.0.0.1:0",
                "--peer-listen", peerAddress(id), "--admin-listen", "127.0.0.1:" + adminPorts.get(id),
                "--initial-cluster", initialCluster, "--heartbeat-ms", "50", "--election-ms", "500"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("node-" + id + ".log").toFile()).start();
        processes.put(id, p);
    }

    private final Map<Long, Integer> peerPorts = new HashMap<>();

    private String peerAddress(long id) {
        return "127.0.0.1:" + peerPorts.get(id);
    }

    private String status(long id) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + adminPorts.get(id) + "/status")).timeout(Duration.ofSeconds(1))
                    .build(), HttpResponse.BodyHandlers.ofString());
            return r.body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private static long field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":(\\d+)").matcher(json);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private long awaitLeader(long... among) {
        long[] leader = new long[1];
        await().atMost(Duration.ofSeconds(90)).until(() -> {
            for (long id : among) {
                String s = status(id);
                if (s.contains("\"role\":\"leader\"")) {
                    leader[0] = id;
                    return true;
                }
            }
            return false;
        });
        return leader[0];
    }

    @Test
    void aSigkilledLeaderIsReplacedAndCatchesUpAfterRestart() throws Exception {
        StringBuilder spec = new StringBuilder();
        List<Integer> ports = NodeHarness.freePorts(6);
        for (long id = 1; id <= 3; id++) {
            peerPorts.put(id, ports.get((int) id - 1));
            adminPorts.put(id, ports.get((int) id + 2));
            spec.append(spec.length() == 0 ? "" : ",").append(id).append('=').append(peerAddress(id));
        }
        initialCluster = spec.toString();
        for (long id = 1; id <= 3; id++) {
            start(id);
        }
        long leader = awaitLeader(1, 2, 3);
        String before = status(leader);
        long term = field(before, "term");
        long oldCommit = field(before, "commitIndex");

        processes.get(leader).destroyForcibly().waitFor();
        long[] survivors = leader == 1 ? new long[]{2, 3} : leader == 2 ? new long[]{1, 3} : new long[]{1, 2};
        long newLeader = awaitLeader(survivors);
        assertNotEquals(leader, newLeader);
        assertTrue(field(status(newLeader), "term") > term, "the new leader serves in a later term");
        // A leader reports its role before it commits its first entry of the new term; until it
        // does, its commit index is one the restarted node can reach by replaying its own log.
        long[] commit = new long[1];
        await().atMost(Duration.ofSeconds(90)).until(() -> {
            commit[0] = field(status(newLeader), "commitIndex");
            return commit[0] > oldCommit;
        });

        start(leader);
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            String s = status(leader);
            assertTrue(field(s, "appliedIndex") >= commit[0], "the restarted node catches up to commit "
                    + commit[0] + ": " + s);
            // The survivors may have elected again meanwhile: the node must follow whichever leads now.
            long followed = field(s, "leaderId");
            assertTrue(followed > 0 && status(followed).contains("\"role\":\"leader\""),
                    "and follows the current leader: " + s);
        });
    }
}
