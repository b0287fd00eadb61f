package io.kvorum.server.node;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;
import org.HdrHistogram.Histogram;

/**
 * Drives a 3-node cluster (in this JVM, gRPC over loopback, RocksDB with fsync) with the
 * test state machine and N closed-loop proposers writing 256-byte values to 10,000 keys,
 * and prints writes/s, latency percentiles and fsyncs/s. Group commit shows as fsyncs/s far
 * below writes/s once proposers run concurrently. Not a test: run it with
 * <pre>mvn -q -pl kv-server -am test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.kvorum.server.node.NodeBenchmark -Dexec.args="1 64"</pre>
 * Arguments: proposer counts to run in turn (default 1 64); -Dbench.seconds (default 10).
 */
public final class NodeBenchmark {
    public static void main(String[] args) throws Exception {
        int seconds = Integer.getInteger("bench.seconds", 10);
        List<Integer> clients = new ArrayList<>();
        for (String a : args.length == 0 ? new String[]{"1", "64"} : args) {
            clients.add(Integer.parseInt(a));
        }
        Path dir = Files.createTempDirectory("kvorum-bench");
        try (NodeHarness cluster = new NodeHarness(dir, "bench", 3)) {
            cluster.startAll();
            long leader = cluster.awaitLeader();
            System.out.printf("3-node cluster up, leader %d; %d s per run, 256-byte values, 10,000 keys%n",
                    leader, seconds);
            run(cluster, leader, 1, 3); // warm-up
            for (int n : clients) {
                Result r = run(cluster, leader, n, seconds);
                System.out.printf("proposers=%d writes/s=%.0f p50=%.2fms p99=%.2fms p99.9=%.2fms "
                                + "leader-fsyncs/s=%.0f writes-per-fsync=%.1f errors=%d%n",
                        n, r.ops / r.secs, r.hist.getValueAtPercentile(50) / 1e6,
                        r.hist.getValueAtPercentile(99) / 1e6, r.hist.getValueAtPercentile(99.9) / 1e6,
                        r.fsyncs / r.secs, r.ops / (double) Math.max(1, r.fsyncs), r.errors);
            }
        } finally {
            SnapshotFiles.deleteTree(dir);
        }
    }

    private record Result(long ops, double secs, Histogram hist, long fsyncs, long errors) {
    }

    private static Result run(NodeHarness cluster, long leader, int proposers, int seconds) throws Exception {
        RaftNode node = cluster.node(leader);
        Recorder recorder = new Recorder(3);
        AtomicLong ops = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        byte[] value = new byte[256];
        java.util.Arrays.fill(value, (byte) 'x');
        String v = new String(value, java.nio.charset.StandardCharsets.US_ASCII);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long fsyncsBefore = node.fsyncCount();
        long start = System.nanoTime();
        List<CompletableFuture<Void>> loops = new ArrayList<>();
        for (int p = 0; p < proposers; p++) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            loops.add(done);
            proposeLoop(node, p, v, deadline, recorder, ops, errors, done);
        }
        CompletableFuture.allOf(loops.toArray(new CompletableFuture[0])).get(seconds + 30L, TimeUnit.SECONDS);
        double secs = (System.nanoTime() - start) / 1e9;
        return new Result(ops.get(), secs, recorder.getIntervalHistogram(), node.fsyncCount() - fsyncsBefore,
                errors.get());
    }

    /** One closed-loop proposer: the next write starts when the previous one is acknowledged. */
    private static void proposeLoop(RaftNode node, int id, String value, long deadline, Recorder rec,
                                    AtomicLong ops, AtomicLong errors, CompletableFuture<Void> done) {
        if (System.nanoTime() >= deadline) {
            done.complete(null);
            return;
        }
        long t0 = System.nanoTime();
        String key = "key" + ((id * 7919L + ops.get()) % 10_000);
        node.propose(CounterStateMachine.put(key, value)).orTimeout(5, TimeUnit.SECONDS).whenComplete((r, e) -> {
            if (e == null) {
                rec.recordValue(System.nanoTime() - t0);
                ops.incrementAndGet();
            } else {
                errors.incrementAndGet();
            }
            proposeLoop(node, id, value, deadline, rec, ops, errors, done);
        });
    }
}
