package io.kvorum.jepsen.failover;

import io.kvorum.client.KvorumClient;
import io.kvorum.jepsen.harness.ClusterSpec;
import io.kvorum.jepsen.harness.NodeStatus;
import io.kvorum.jepsen.harness.ProcessCluster;
import io.kvorum.jepsen.harness.ServerProcess;
import io.kvorum.jepsen.run.Retry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Whether a healthy cluster under full load holds elections it should not: real servers on
 * loopback (ephemeral ports) with the given timeouts, no faults at all, one kv-client keeping
 * {@code inFlight} calls outstanding the whole time (half linearizable reads, half writes over
 * 100 keys). Every few seconds each node's term and leader is read from its admin
 * {@code /status}; with nothing failing every election is a false one, and each raises the
 * term, so the count is the rise of the highest term seen.
 */
public final class ElectionsUnderLoad {
    private static final Duration PATIENCE = Duration.ofSeconds(180);
    private static final long SAMPLE_EVERY_MILLIS = 5_000;
    private static final int KEYS = 100;

    /** What the run saw. */
    public record Result(long firstTerm, long lastTerm, int leaderChanges, long ops, long errors, double seconds) {
        public long elections() {
            return lastTerm - firstTerm;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%.0f s under load: %d ops (%.0f ops/s), %d errors; "
                    + "elections %d (term %d -> %d), leader changes %d", seconds, ops, ops / seconds, errors,
                    elections(), firstTerm, lastTerm, leaderChanges);
        }
    }

    private ElectionsUnderLoad() {
    }

    public static Result run(ClusterSpec spec, Path dir, Duration length, int inFlight, Consumer<String> log)
            throws Exception {
        try (ProcessCluster cluster = ProcessCluster.start(spec, dir)) {
            cluster.awaitLeader(PATIENCE);
            String[] endpoints = cluster.nodes().stream().map(ServerProcess::clientAddress).toArray(String[]::new);
            try (KvorumClient client = KvorumClient.builder().endpoints(endpoints).build()) {
                for (int k = 0; k < KEYS; k++) {
                    String path = "/load/k" + k;
                    Retry.until(PATIENCE, () -> {
                        client.async().ensurePath(path).join();
                        return null;
                    });
                }
                long firstTerm = highestTerm(cluster);
                long leader = cluster.awaitLeader(PATIENCE);
                log.accept("load starts: term " + firstTerm + ", leader " + leader);
                AtomicLong ops = new AtomicLong();
                AtomicLong errors = new AtomicLong();
                Semaphore slots = new Semaphore(inFlight);
                long start = System.nanoTime();
                long end = start + length.toNanos();
                long nextSample = start + TimeUnit.MILLISECONDS.toNanos(SAMPLE_EVERY_MILLIS);
                long lastTerm = firstTerm;
                int leaderChanges = 0;
                long opsAtSample = 0;
                while (System.nanoTime() < end) {
                    if (System.nanoTime() >= nextSample) {
                        long now = System.nanoTime();
                        long term = Math.max(lastTerm, highestTerm(cluster));
                        Optional<Long> l = cluster.leader();
                        if (l.isPresent() && l.get() != leader) {
                            leaderChanges++;
                            leader = l.get();
                        }
                        long done = ops.get();
                        log.accept(String.format(Locale.ROOT, "%4.0f s: %.0f ops/s, errors %d, term %d, "
                                        + "leader %s", (now - start) / 1e9,
                                (done - opsAtSample) / ((now - nextSample) / 1e9 + SAMPLE_EVERY_MILLIS / 1e3),
                                errors.get(), term, l.map(String::valueOf).orElse("none")));
                        opsAtSample = done;
                        lastTerm = term;
                        nextSample = now + TimeUnit.MILLISECONDS.toNanos(SAMPLE_EVERY_MILLIS);
                    }
                    if (slots.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                        issue(client, ops, errors, slots);
                    }
                }
                slots.acquire(inFlight); // the calls still out finish (each within its deadline)
                double seconds = (System.nanoTime() - start) / 1e9;
                lastTerm = Math.max(lastTerm, highestTerm(cluster));
                return new Result(firstTerm, lastTerm, leaderChanges, ops.get(), errors.get(), seconds);
            }
        }
    }

    private static void issue(KvorumClient client, AtomicLong ops, AtomicLong errors, Semaphore slots) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        String path = "/load/k" + r.nextInt(KEYS);
        CompletableFuture<Throwable> call = r.nextBoolean()
                ? client.async().set(path, ("v" + r.nextInt()).getBytes(StandardCharsets.UTF_8)).handle((s, e) -> e)
                : client.async().exists(path).handle((s, e) -> e); // linearizable: the default
        call.whenComplete((error, unused) -> {
            if (error == null) {
                ops.incrementAndGet();
            } else {
                errors.incrementAndGet();
            }
            slots.release();
        });
    }

    private static long highestTerm(ProcessCluster cluster) {
        long term = 0;
        for (Map.Entry<Long, Optional<NodeStatus>> e : cluster.statuses().entrySet()) {
            term = Math.max(term, e.getValue().map(NodeStatus::term).orElse(0L));
        }
        return term;
    }
}
