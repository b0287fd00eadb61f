package io.kvorum.server.http;

import com.google.protobuf.ByteString;
import io.kvorum.proto.v1.CreateRequest;
import io.kvorum.proto.v1.GetRequest;
import io.kvorum.proto.v1.SetRequest;
import io.kvorum.server.testing.InJvmCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/**
 * GET and PUT of 256-byte values through the HTTP API and through gRPC (blocking unary stubs),
 * against the leader of a 3-node cluster in this JVM, with 1 and 64 closed-loop clients; prints
 * ops/s and latency percentiles per case. HTTP clients share one JDK HttpClient (a connection
 * per concurrent request, kept alive); gRPC clients share one channel. Not a test: run it with
 * <pre>mvn -q -pl kv-server -am test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.kvorum.server.http.HttpVsGrpcBenchmark</pre>
 * -Dbench.seconds (default 5) per case.
 */
public final class HttpVsGrpcBenchmark {
    private static final int KEYS = 1000;

    private interface Op {
        void run(int key) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int seconds = Integer.getInteger("bench.seconds", 5);
        Path dir = Files.createTempDirectory("kvorum-http-bench");
        try (InJvmCluster cluster = new InJvmCluster(dir, 3, "http-bench")) {
            cluster.startAll();
            long leader = cluster.awaitLeader();
            try (HttpNodes http = new HttpNodes(cluster)) {
                http.start(leader);
                ByteString value = ByteString.copyFrom(new byte[256]);
                for (int k = 0; k < KEYS; k++) {
                    cluster.kv(leader).create(CreateRequest.newBuilder().setPath("/k" + k).setData(value).build());
                }
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                String base = "http://127.0.0.1:" + http.server(leader).port() + "/v1/nodes/k";
                Op httpGet = k -> check(client.send(HttpRequest.newBuilder(URI.create(base + k)).GET().build(),
                        HttpResponse.BodyHandlers.ofByteArray()));
                Op httpPut = k -> check(client.send(HttpRequest.newBuilder(URI.create(base + k))
                        .header("Content-Type", "application/octet-stream")
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(value.toByteArray())).build(),
                        HttpResponse.BodyHandlers.ofByteArray()));
                Op grpcGet = k -> cluster.kv(leader).get(GetRequest.newBuilder().setPath("/k" + k).build());
                Op grpcPut = k -> cluster.kv(leader).set(SetRequest.newBuilder().setPath("/k" + k).setData(value)
                        .setExpectedVersion(-1).build());
                run("warm-up", 8, 2, httpGet);
                run("warm-up", 8, 2, grpcPut);
                for (int clients : new int[] {1, 64}) {
                    run("grpc GET", clients, seconds, grpcGet);
                    run("http GET", clients, seconds, httpGet);
                    run("grpc PUT", clients, seconds, grpcPut);
                    run("http PUT", clients, seconds, httpPut);
                }
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void check(HttpResponse<byte[]> r) {
        if (r.statusCode() != 200) {
            throw new IllegalStateException("HTTP " + r.statusCode() + ": " + new String(r.body()));
        }
    }

    private static void run(String name, int clients, int seconds, Op op) throws Exception {
        Recorder recorder = new Recorder(3);
        AtomicLong ops = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<?>> done = new ArrayList<>();
        long start = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            int seed = c;
            done.add(pool.submit(() -> {
                int k = seed;
                while (System.nanoTime() < deadline) {
                    long t = System.nanoTime();
                    try {
                        op.run(k % KEYS);
                        recorder.recordValue(System.nanoTime() - t);
                        ops.incrementAndGet();
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                    k += clients;
                }
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        double secs = (System.nanoTime() - start) / 1e9;
        var h = recorder.getIntervalHistogram();
        System.out.printf("%-9s clients=%-3d ops/s=%8.0f p50=%6.2fms p99=%6.2fms errors=%d%n", name, clients,
                ops.get() / secs, h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6, errors.get());
    }
}
