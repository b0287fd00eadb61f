package io.kvorum.jepsen.harness;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.client.KvorumClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rolling restart of three real servers (SIGTERM, start again, wait until caught up, next)
 * under a steady write load, with production timeouts (heartbeat 100 ms, election 1 s): no
 * client call may fail; the longest single write (the stall clients see while leadership moves)
 * is reported in {@code target/rolling-restart.txt}, not asserted (timings depend on the machine).
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class RollingRestartTest {
    private static final Duration CATCH_UP = Duration.ofSeconds(120);
    private static final int WRITERS = 2;

    @TempDir
    Path dir;
    private ProcessCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void everyNodeRestartedInTurnUnderLoadWithoutAFailedCall() throws Exception {
        cluster = ProcessCluster.start(ClusterSpec.of(3).withTimeouts(100, 1000), dir);
        cluster.awaitLeader(CATCH_UP);
        String[] endpoints = cluster.nodes().stream().map(ServerProcess::clientAddress).toArray(String[]::new);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong ok = new AtomicLong();
        AtomicLong longestNanos = new AtomicLong();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        List<Long> restartedLeaders = new ArrayList<>();
        ConcurrentLinkedQueue<String> slow = new ConcurrentLinkedQueue<>();
        long started = System.nanoTime();
        long baselineNanos = 0;
        try (KvorumClient client = KvorumClient.builder().endpoints(endpoints).defaultDeadline(Duration.ofSeconds(20))
                .build()) {
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                String path = "/rolling-" + w;
                client.create(path, new byte[0]);
                Thread t = new Thread(() -> {
                    for (long i = 0; !stop.get(); i++) {
                        long t0 = System.nanoTime();
                        try {
                            client.set(path, Long.toString(i).getBytes(StandardCharsets.UTF_8));
                            ok.incrementAndGet();
                            long took = System.nanoTime() - t0;
                            longestNanos.accumulateAndGet(took, Math::max);
                            if (took > 200_000_000L) {
                                slow.add(String.format(Locale.ROOT, "+%d ms: a write took %d ms",
                                        (t0 - started) / 1_000_000, took / 1_000_000));
                            }
                        } catch (RuntimeException e) {
                            failures.add(e.toString());
                        }
                    }
                }, "writer-" + w);
                t.start();
                writers.add(t);
            }
            await().atMost(CATCH_UP).until(() -> ok.get() > 200);
            baselineNanos = longestNanos.getAndSet(0);
            for (ServerProcess node : cluster.nodes()) {
                long leader = cluster.awaitLeader(CATCH_UP);
                if (leader == node.id) {
                    restartedLeaders.add(node.id);
                }
                long before = ok.get();
                slow.add(String.format(Locale.ROOT, "+%d ms: SIGTERM node %d%s", (System.nanoTime() - started)
                        / 1_000_000, node.id, leader == node.id ? " (leader)" : ""));
                node.stop(Duration.ofSeconds(30));
                slow.add(String.format(Locale.ROOT, "+%d ms: node %d exited, starting it", (System.nanoTime()
                        - started) / 1_000_000, node.id));
                node.start();
                await().atMost(CATCH_UP).pollInterval(Duration.ofMillis(100)).until(() -> caughtUp(node));
                slow.add(String.format(Locale.ROOT, "+%d ms: node %d caught up", (System.nanoTime() - started)
                        / 1_000_000, node.id));
                // Load went on meanwhile: the next restart starts from a cluster under load.
                await().atMost(CATCH_UP).until(() -> ok.get() > before + 200);
            }
            stop.set(true);
            for (Thread t : writers) {
                t.join(30_000);
            }
        }
        String report = String.format(Locale.ROOT, "rolling restart of 3 nodes (SIGTERM), %d writers: %d writes "
                        + "acknowledged, %d failed calls, longest write %.1f ms during the restarts (%.1f ms before "
                        + "them, the machine's own noise); leaders restarted: %s%nwrites over 200 ms and restart "
                        + "steps, by time since the start:%n", WRITERS, ok.get(), failures.size(),
                longestNanos.get() / 1e6, baselineNanos / 1e6, restartedLeaders)
                + String.join("\n", slow) + "\n";
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "rolling-restart.txt"), report);
        System.out.print(report);
        assertEquals(List.of(), List.copyOf(failures), "no client call may fail during a rolling restart");
        assertTrue(!restartedLeaders.isEmpty(), "some restarted node was the leader at the time");
    }

    /** Up, following a leader, and applied as far as that leader had committed. */
    private boolean caughtUp(ServerProcess node) {
        var mine = node.status();
        if (mine.isEmpty() || mine.get().leaderId() == 0) {
            return false;
        }
        var leader = cluster.node(mine.get().leaderId()).status();
        return leader.isPresent() && mine.get().appliedIndex() >= leader.get().commitIndex() - 10;
    }
}
