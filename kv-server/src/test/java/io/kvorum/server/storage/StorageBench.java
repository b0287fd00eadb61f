package io.kvorum.server.storage;

import io.kvorum.server.raft.ConfState;
import io.kvorum.server.raft.Entry;
import io.kvorum.server.raft.HardState;
import io.kvorum.server.raft.Ready;

import org.rocksdb.Statistics;
import org.rocksdb.TickerType;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Micro-benchmark of {@link NodeStore#persist} (not a test): what group commit buys.
 * Persists 10,000 single-entry Readys, each synced, then 100 Readys of 100 entries, with
 * 256-byte entries and a hard state in every Ready (the value size of the design's target workload), and
 * prints fsyncs/s and entries/s. The fsync count is RocksDB's own WAL_FILE_SYNCED ticker, not
 * an assumption. Each shape runs {@code runs} times on a fresh store; the median run is the
 * figure to quote.
 *
 * <pre>
 * java -cp kv-server/target/test-classes:kv-server/target/classes:$(cat kv-server/target/test-cp.txt) \
 *     io.kvorum.server.storage.StorageBench [dataDir] [runs]
 * </pre>
 * Point dataDir at the disk the node will use: on tmpfs an fsync costs nothing.
 */
public final class StorageBench {
    private static final int VALUE_BYTES = 256;

    private record Result(String shape, int readys, int entries, long syncs, double seconds, long p50Micros,
                          long p99Micros) {
        double fsyncsPerSecond() {
            return syncs / seconds;
        }

        double entriesPerSecond() {
            return entries / seconds;
        }

        @Override
        public String toString() {
            return String.format("%-28s %6d Readys %7d entries %6d fsyncs %7.2f s  %9.0f fsyncs/s %10.0f entries/s"
                            + "  persist p50 %6d us p99 %6d us", shape, readys, entries, syncs, seconds,
                    fsyncsPerSecond(), entriesPerSecond(), p50Micros, p99Micros);
        }
    }

    public static void main(String[] args) throws Exception {
        Path base = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("kvorum-storage-bench");
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Files.createDirectories(base);
        System.out.println("data dir " + base.toAbsolutePath() + " (" + Files.getFileStore(base).type() + "), "
                + VALUE_BYTES + "-byte entries, " + runs + " runs per shape");
        warmUp(base.resolve("warmup"));
        List<Result> single = new ArrayList<>();
        List<Result> grouped = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            single.add(run(base.resolve("single-" + r), "10,000 x 1 entry, synced", 10_000, 1));
            System.out.println(single.get(r));
            grouped.add(run(base.resolve("grouped-" + r), "100 x 100 entries, synced", 100, 100));
            System.out.println(grouped.get(r));
        }
        Result s = median(single);
        Result g = median(grouped);
        System.out.println();
        System.out.println("median " + s);
        System.out.println("median " + g);
        System.out.printf("group commit: %.1fx the entries/s of one entry per fsync%n",
                g.entriesPerSecond() / s.entriesPerSecond());
        if (args.length == 0) {
            deleteTree(base);
        }
    }

    private static void warmUp(Path dir) throws IOException {
        run(dir, "warm-up", 1_000, 1);
        run(dir.resolveSibling("warmup-grouped"), "warm-up", 20, 100);
        deleteTree(dir);
        deleteTree(dir.resolveSibling("warmup-grouped"));
    }

    private static Result run(Path dir, String shape, int readys, int perReady) throws IOException {
        Random rnd = new Random(42);
        byte[] value = new byte[VALUE_BYTES];
        rnd.nextBytes(value);
        // Build every Ready first so only persist is timed.
        List<Ready> work = new ArrayList<>(readys);
        long index = 1;
        for (int r = 0; r < readys; r++) {
            List<Entry> ents = new ArrayList<>(perReady);
            for (int i = 0; i < perReady; i++) {
                ents.add(Entry.normal(1, index++, value));
            }
            work.add(new Ready(null, new HardState(1, 1, index - 1), ents, null, List.of(), List.of(), List.of(),
                    List.of()));
        }
        long[] lat = new long[readys];
        try (Statistics stats = new Statistics();
             NodeStore store = NodeStore.open(dir, "bench", 1, ConfState.ofVoters(1L), o -> o.setStatistics(stats))) {
            long syncsBefore = stats.getTickerCount(TickerType.WAL_FILE_SYNCED);
            long start = System.nanoTime();
            for (int r = 0; r < readys; r++) {
                long t = System.nanoTime();
                store.persist(work.get(r));
                lat[r] = System.nanoTime() - t;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long syncs = stats.getTickerCount(TickerType.WAL_FILE_SYNCED) - syncsBefore;
            Arrays.sort(lat);
            return new Result(shape, readys, readys * perReady, syncs, seconds, lat[readys / 2] / 1000,
                    lat[(int) (readys * 0.99)] / 1000);
        } finally {
            deleteTree(dir);
        }
    }

    private static Result median(List<Result> rs) {
        List<Result> sorted = new ArrayList<>(rs);
        sorted.sort((a, b) -> Double.compare(a.entriesPerSecond(), b.entriesPerSecond()));
        return sorted.get(sorted.size() / 2);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
