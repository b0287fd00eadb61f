package io.kvorum.jepsen.failover;

import io.kvorum.client.KvorumClient;
import io.kvorum.client.NodeExistsException;
import io.kvorum.jepsen.harness.ClusterSpec;
import io.kvorum.jepsen.harness.ProcessCluster;
import io.kvorum.jepsen.harness.ServerProcess;
import io.kvorum.jepsen.run.Retry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * How long clients wait for writes when the leader dies: real servers on loopback (ephemeral
 * ports, peer links through the harness's proxies), one kv-client with default settings. Each
 * round waits for a leader every node follows and a write that succeeds, then SIGKILLs the
 * leader and from that instant starts a write every {@link #PROBE_EVERY_MILLIS} ms; the round's
 * figure is the time from the kill to the first of those writes that succeeds. The killed node
 * is restarted on its data before the next round.
 */
public final class FailoverMeasurement {
    static final long PROBE_EVERY_MILLIS = 10;
    private static final Duration PATIENCE = Duration.ofSeconds(180);
    /** A round whose writes all fail for this long counts as this long (and is reported). */
    private static final long GIVE_UP_NANOS = TimeUnit.SECONDS.toNanos(30);

    private FailoverMeasurement() {
    }

    /** Milliseconds from each kill to the first write succeeding after it, in kill order. */
    public static List<Double> run(ClusterSpec spec, Path dir, int kills, Consumer<String> log) throws Exception {
        List<Double> out = new ArrayList<>();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "failover-writes");
            t.setDaemon(true);
            return t;
        });
        try (ProcessCluster cluster = ProcessCluster.start(spec, dir)) {
            cluster.awaitLeader(PATIENCE);
            String[] endpoints = cluster.nodes().stream().map(ServerProcess::clientAddress).toArray(String[]::new);
            try (KvorumClient client = KvorumClient.builder().endpoints(endpoints).build()) {
                // Setup and the steady write may meet a loaded machine: retried, they are idempotent here.
                Retry.until(PATIENCE, () -> {
                    try {
                        return client.create("/failover", bytes("0"));
                    } catch (NodeExistsException createdByAnEarlierAttempt) {
                        return null;
                    }
                });
                for (int round = 1; round <= kills; round++) {
                    long leader = cluster.awaitLeader(PATIENCE);
                    String steady = "steady-" + round;
                    Retry.until(PATIENCE, () -> client.set("/failover", bytes(steady)));
                    Thread.sleep(500); // heartbeats settle after the previous round's restart
                    leader = cluster.awaitLeader(PATIENCE);
                    long killed = System.nanoTime();
                    LocalTime killedAt = LocalTime.now();
                    cluster.node(leader).kill();
                    List<Long> survivors = new ArrayList<>(cluster.ids());
                    survivors.remove(leader);
                    CompletableFuture<Long> elected = electedAfter(cluster, survivors, killed);
                    double ms = firstWriteAfter(client, timer, "/failover", "after-kill-" + round, killed) / 1e6;
                    out.add(ms);
                    Long electedNanos = elected.get(GIVE_UP_NANOS, TimeUnit.NANOSECONDS);
                    // The wall-clock time of the kill finds the round in the servers' logs.
                    log.accept(String.format(Locale.ROOT, "kill %d of %d at %s: leader %d; a new leader after %s, "
                                    + "a write succeeded %.0f ms later", round, kills,
                            killedAt.format(DateTimeFormatter.ofPattern("HH:mm:ss.SSS")), leader,
                            electedNanos == null ? "(not seen)" : String.format(Locale.ROOT, "%.0f ms",
                                    electedNanos / 1e6), ms));
                    cluster.node(leader).start();
                }
            }
        } finally {
            timer.shutdownNow();
        }
        return out;
    }

    /**
     * Nanoseconds from {@code since} until one of {@code survivors}' {@code /status} first says
     * it leads (polled every few ms), or null when none did within the give-up time: how much of
     * a failover is the election, the rest being the client finding the new leader.
     */
    public static CompletableFuture<Long> electedAfter(ProcessCluster cluster, List<Long> survivors, long since) {
        return CompletableFuture.supplyAsync(() -> {
            while (System.nanoTime() - since < GIVE_UP_NANOS) {
                if (cluster.leader(survivors).isPresent()) {
                    return System.nanoTime() - since;
                }
                try {
                    Thread.sleep(PROBE_EVERY_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
            return null;
        });
    }

    /**
     * Starts a write of {@code value} to {@code path} on {@code timer} every
     * {@link #PROBE_EVERY_MILLIS} ms from {@code since} on; nanoseconds from {@code since} until
     * the first succeeds (30 s if none does). Waits for every write it started before returning.
     */
    public static long firstWriteAfter(KvorumClient client, ScheduledExecutorService timer, String path, String value,
                                       long since) throws Exception {
        AtomicLong first = new AtomicLong(Long.MAX_VALUE);
        CompletableFuture<Void> done = new CompletableFuture<>();
        List<CompletableFuture<?>> writes = new ArrayList<>();
        var task = timer.scheduleAtFixedRate(() -> {
            synchronized (writes) {
                writes.add(client.async().set(path, bytes(value)).whenComplete((s, e) -> {
                    if (e == null) {
                        long t = System.nanoTime();
                        first.accumulateAndGet(t, Math::min);
                        done.complete(null);
                    }
                }));
            }
        }, 0, PROBE_EVERY_MILLIS, TimeUnit.MILLISECONDS);
        try {
            done.get(GIVE_UP_NANOS, TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            first.set(since + GIVE_UP_NANOS);
        } finally {
            task.cancel(false);
        }
        synchronized (writes) {
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).handle((v, e) -> null)
                    .get(30, TimeUnit.SECONDS);
        }
        return first.get() - since;
    }

    /** min, median, p90, p99 (nearest rank) and max of {@code ms}. */
    public static String summary(List<Double> ms) {
        List<Double> s = new ArrayList<>(ms);
        s.sort(Double::compare);
        return String.format(Locale.ROOT, "%d kills: min %.0f ms, median %.0f ms, p90 %.0f ms, p99 %.0f ms, max %.0f ms",
                s.size(), s.get(0), rank(s, 0.5), rank(s, 0.9), rank(s, 0.99), s.get(s.size() - 1));
    }

    private static double rank(List<Double> sorted, double q) {
        int i = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
