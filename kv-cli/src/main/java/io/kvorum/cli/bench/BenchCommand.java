package io.kvorum.cli.bench;

import io.kvorum.cli.Cli;
import io.kvorum.cli.DurationConverter;
import io.kvorum.cli.ExitCodes;
import io.kvorum.cli.UsageError;
import io.kvorum.client.KvorumClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kvorum bench}: a load generator. Each of {@code --clients} clients runs a closed loop
 * on the async API (one operation in flight, the next when it completes), optionally held to
 * a total {@code --rate}. It preloads the keys, runs a warm-up that is not counted, prints a
 * progress line every second to stderr, then the throughput, latency percentiles (HdrHistogram)
 * and error counts to stdout.
 */
@Command(name = "bench", description = {"Measures the cluster: throughput, latency percentiles and errors.",
        "Each client is a closed loop (one operation in flight); --rate holds them to a total rate and then "
                + "measures latency from when each operation was due.",
        "Progress goes to stderr every second; the result to stdout. JSON: {workload, clients, connections, "
                + "valueSize, keys, readPercent, consistency, rate, warmupSeconds, durationSeconds, ops, "
                + "opsPerSecond, errors, errorsByType, latencyMillis: {p50, p90, p99, p999, max, mean}}.",
        "Keys PREFIX/k0000000... are created first when missing and left in place afterwards."},
        footer = {"%nExamples:", "  kvorum bench --workload write --clients 64 --duration 10s",
                "  kvorum bench --workload read --clients 64 --consistency serializable"})
public final class BenchCommand implements Callable<Integer> {
    private final Cli cli;

    @Option(names = "--workload", paramLabel = "write|read|mixed", defaultValue = "write",
            description = "write: set random keys; read: get them; mixed: --read-percent reads. "
                    + "Default: ${DEFAULT-VALUE}.")
    Workload workload;

    @Option(names = "--clients", paramLabel = "N", defaultValue = "16",
            description = "Concurrent closed-loop clients. Default: ${DEFAULT-VALUE}.")
    int clients;

    @Option(names = "--connections", paramLabel = "N", defaultValue = "1",
            description = "Client instances (each with its own connections) the clients share. "
                    + "Default: ${DEFAULT-VALUE}.")
    int connections;

    @Option(names = "--value-size", paramLabel = "BYTES", defaultValue = "256",
            description = "Bytes per value. Default: ${DEFAULT-VALUE}.")
    int valueSize;

    @Option(names = "--keys", paramLabel = "N", defaultValue = "10000",
            description = "Distinct keys, chosen uniformly. Default: ${DEFAULT-VALUE}.")
    int keys;

    @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
            description = "How long to measure. Default: ${DEFAULT-VALUE}.")
    Duration duration;

    @Option(names = "--warmup", paramLabel = "DURATION", defaultValue = "1s",
            description = "Load before measuring, not counted (0 for none). Default: ${DEFAULT-VALUE}.")
    String warmup;

    @Option(names = "--rate", paramLabel = "OPS_PER_SEC", defaultValue = "0",
            description = "Total rate limit, open-loop (0: none, the default).")
    double rate;

    @Option(names = "--read-percent", paramLabel = "P", defaultValue = "50",
            description = "With --workload mixed: the share of reads, 0-100. Default: ${DEFAULT-VALUE}.")
    int readPercent;

    @Option(names = "--batching", paramLabel = "true|false", defaultValue = "true", arity = "1",
            description = "Send point calls over one Batch stream per node, many to a message (false: one unary "
                    + "call each). Default: ${DEFAULT-VALUE}.")
    boolean batching;

    @Option(names = "--prefix", paramLabel = "PATH", defaultValue = "/bench",
            description = "Parent of the benchmark's keys. Default: ${DEFAULT-VALUE}.")
    String prefix;

    BenchCommand(Cli cli) {
        this.cli = cli;
    }

    private Duration warmupDuration() {
        return warmup.trim().matches("0+(ms|s)?") ? Duration.ZERO : DurationConverter.parse(warmup);
    }

    private void validate() {
        if (clients < 1 || connections < 1 || connections > clients) {
            throw new UsageError("--clients must be at least 1 and --connections between 1 and --clients");
        }
        if (valueSize < 0 || keys < 1 || rate < 0 || readPercent < 0 || readPercent > 100) {
            throw new UsageError("--value-size, --keys and --rate must not be negative (--keys at least 1), "
                    + "--read-percent must be 0-100");
        }
    }

    @Override
    public Integer call() throws Exception {
        validate();
        Duration warm = warmupDuration();
        List<KvorumClient> pool = new ArrayList<>();
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(daemon("bench-pacer"));
        ExecutorService trampoline = Executors.newCachedThreadPool(daemon("bench-loop"));
        try {
            for (int i = 0; i < connections; i++) {
                pool.add(cli.connectForBench(batching));
            }
            KeySpace space = new KeySpace(prefix, keys);
            byte[][] values = new byte[16][valueSize];
            for (byte[] v : values) {
                ThreadLocalRandom.current().nextBytes(v);
            }
            if (Preloader.alreadyLoaded(pool.get(0), space, cli.readOptions())) {
                cli.note(keys + " keys under " + prefix + " are there from an earlier run");
            } else {
                cli.note("preloading " + keys + " keys under " + prefix + " ...");
                Preloader.preload(pool.get(0), space, values[0], cli.writeOptions());
            }
            Workload.Setup setup = new Workload.Setup(space, values, readPercent, cli.readOptions(),
                    cli.writeOptions());
            Stats stats = new Stats();
            Report report = run(pool, setup, stats, scheduler, trampoline, warm);
            if (cli.json()) {
                cli.printJson(report.json());
            } else {
                report.text().forEach(cli::println);
            }
            return report.latency().getTotalCount() == 0 ? ExitCodes.ERROR : ExitCodes.OK;
        } finally {
            scheduler.shutdownNow();
            trampoline.shutdownNow();
            for (KvorumClient c : pool) {
                c.close();
            }
        }
    }

    private Report run(List<KvorumClient> pool, Workload.Setup setup, Stats stats, ScheduledExecutorService scheduler,
                       ExecutorService trampoline, Duration warm) throws InterruptedException {
        long intervalNanos = rate > 0 ? (long) (clients * 1e9 / rate) : 0;
        long t0 = System.nanoTime();
        List<Worker> workers = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            // Spread the clients' schedules over one interval so a rate limit does not send bursts.
            workers.add(new Worker(pool.get(i % pool.size()), workload, setup, stats, scheduler, trampoline,
                    intervalNanos, t0 + intervalNanos * i / clients));
        }
        workers.forEach(Worker::start);
        long warmEnd = t0 + warm.toNanos();
        long end = warmEnd + duration.toNanos();
        // Measuring starts with the first whole second after the warm-up's last progress line.
        long measureStart = t0;
        for (long tick = t0 + TimeUnit.SECONDS.toNanos(1); ; tick += TimeUnit.SECONDS.toNanos(1)) {
            long until = Math.min(tick, end);
            long now = System.nanoTime();
            if (until > now && !cli.stop().requested()) {
                try {
                    cli.stop().future().get(until - now, TimeUnit.NANOSECONDS);
                } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
                    // the second is up
                }
            }
            now = System.nanoTime();
            boolean warming = until <= warmEnd && !warm.isZero();
            Stats.Interval iv = stats.interval(!warming);
            if (warming) {
                measureStart = now;
            }
            cli.note(String.format(Locale.ROOT, "[%3.0fs] %,8d ops/s  p50 %7.3f ms  p99 %7.3f ms  errors %d%s",
                    (now - t0) / 1e9, iv.ops(), iv.p50Millis(), iv.p99Millis(), iv.errors(),
                    warming ? "  (warm-up)" : ""));
            if (until >= end || cli.stop().requested()) {
                break;
            }
        }
        long stopAt = System.nanoTime();
        workers.forEach(w -> w.stopAt(stopAt));
        CompletableFuture<Void> all = CompletableFuture.allOf(workers.stream().map(Worker::finished)
                .toArray(CompletableFuture[]::new));
        try {
            all.get(cli.options().timeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            cli.note("some operations were still running when the benchmark ended");
        }
        long done = System.nanoTime();
        stats.interval(true);
        double seconds = (done - measureStart) / 1e9;
        return new Report(workload.name().toLowerCase(Locale.ROOT), clients, pool.size(), valueSize, keys,
                workload == Workload.MIXED ? readPercent : workload == Workload.READ ? 100 : 0,
                cli.options().consistency().name().toLowerCase(Locale.ROOT), rate, warm.toMillis() / 1000.0, seconds,
                stats.total(), stats.totalErrors(), stats.errorsByType());
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
