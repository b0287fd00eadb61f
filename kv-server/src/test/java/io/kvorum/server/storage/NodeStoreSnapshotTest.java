package io.kvorum.server.storage;

import static io.kvorum.server.storage.Fixtures.CLUSTER;
import static io.kvorum.server.storage.Fixtures.CONF;
import static io.kvorum.server.storage.Fixtures.bytes;
import static io.kvorum.server.storage.Fixtures.ents;
import static io.kvorum.server.storage.Fixtures.entriesOnly;
import static io.kvorum.server.storage.Fixtures.ready;
import static io.kvorum.server.storage.Fixtures.str;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.server.raft.CompactedException;
import io.kvorum.server.raft.ConfState;
import io.kvorum.server.raft.HardState;
import io.kvorum.server.raft.SnapshotMeta;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Snapshots travel as checkpoints from one store to another; installing one is all or nothing
 * even when it fails or the process dies halfway.
 */
class NodeStoreSnapshotTest {
    static final ConfState LEADER_CONF = ConfState.ofVoters(1L, 2L, 3L, 4L);

    @TempDir
    Path dir;

    private SnapshotMeta meta;
    private Path checkpoint;

    /** A leader (node 1) at term 3 with 50 applied entries holding keys s00..s49, checkpointed. */
    @BeforeEach
    void leaderSnapshot() {
        try (NodeStore leader = NodeStore.open(dir.resolve("leader"), CLUSTER, 1, CONF)) {
            leader.persist(ready(new HardState(3, 1, 50), ents(1, 50, 3)));
            for (long i = 1; i <= 50; i++) {
                long n = i;
                leader.applyBatch(i, i == 50 ? LEADER_CONF : CONF, b -> b.put(key(n - 1), bytes("leader" + (n - 1))));
            }
            checkpoint = dir.resolve("checkpoint-50");
            meta = leader.createSnapshot(checkpoint);
        }
        assertEquals(new SnapshotMeta(50, 3, LEADER_CONF), meta);
    }

    /**
     * On a lightly loaded node a checkpoint leaves the write-ahead log on the file it was on
     * before (a recycled one, as large as what was written since the last checkpoint), whose
     * synced writes within that size flush data only. A switch made inside RocksDB's checkpoint
     * (file deletions off) would start a fresh, empty file; one onto the file recycled from the
     * moment between two switches, a file a few bytes long.
     */
    @Test
    void aCheckpointLeavesTheWriteAheadLogOnTheFileItWasOn() throws IOException {
        // Checkpoints a minute apart: the node is not loaded.
        checkpointRounds("light", TimeUnit.MINUTES.toNanos(1), (round, walBefore, live) -> {
            assertEquals(walBefore, fileKey(live), "round " + round + ": the WAL moved to another file");
            assertTrue(Files.size(live) >= 200 * 1024, "round " + round + ": the live WAL holds "
                    + Files.size(live) + " bytes rather than the ~400 KiB written into it since the last one");
        });
    }

    /** On a loaded node (checkpoints close together) a checkpoint spends no extra flush. */
    @Test
    void aLoadedNodesCheckpointIsTakenPlainly() throws IOException {
        checkpointRounds("loaded", TimeUnit.MILLISECONDS.toNanos(100), (round, walBefore, live) -> {
            long bytes = Files.size(live);
            // The first checkpoint counts as light: nothing tells it the node is loaded yet.
            assertTrue(round == 1 || bytes < 64 * 1024, "round " + round + ": the live WAL holds " + bytes
                    + " bytes, not the fresh file RocksDB's checkpoint switches to");
        });
    }

    /** What a test checks after each checkpoint: the WAL file before it (its key) and the live one after. */
    private interface AfterCheckpoint {
        void check(int round, Object walBefore, Path liveWal) throws IOException;
    }

    /**
     * Five rounds of 100 entries persisted and applied (~400 KiB of WAL each), each followed by
     * a snapshot, checkpoints {@code apartNanos} apart, each checked by {@code after}.
     */
    private void checkpointRounds(String name, long apartNanos, AfterCheckpoint after) throws IOException {
        Path db = dir.resolve(name);
        try (NodeStore s = NodeStore.open(db, CLUSTER, 1, CONF)) {
            AtomicLong clock = new AtomicLong();
            s.useCheckpointClock(() -> clock.addAndGet(apartNanos));
            long index = 0;
            for (int round = 1; round <= 5; round++) {
                index = writeRound(s, index);
                Object before = fileKey(liveWal(db));
                s.createSnapshot(dir.resolve(name + "-snap-" + round));
                after.check(round, before, liveWal(db));
            }
        }
    }

    /**
     * After a loaded node's checkpoint, once none has come for the quiet time, two switches move
     * the WAL back onto the file that checkpoint started, now a recycled one; before that time,
     * or with the WAL already on a recycled file, nothing is done.
     */
    @Test
    void aQuietNodeMovesItsWriteAheadLogOffTheFreshFileALoadedCheckpointLeft() throws IOException {
        Path db = dir.resolve("quiet");
        try (NodeStore s = NodeStore.open(db, CLUSTER, 1, CONF)) {
            AtomicLong clock = new AtomicLong();
            s.useCheckpointClock(clock::get);
            long index = 0;
            for (int round = 0; round < 4; round++) {
                index = writeRound(s, index);
                clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(100));
                s.createSnapshot(dir.resolve("quiet-snap-" + round));
            }
            assertTrue(Files.size(liveWal(db)) < 64 * 1024, "a loaded checkpoint leaves a fresh file");
            index = writeRound(s, index);
            Object fresh = fileKey(liveWal(db));
            assertFalse(s.reuseRecycledWalFileIfQuiet(Duration.ofSeconds(2)), "not quiet yet");
            clock.addAndGet(TimeUnit.SECONDS.toNanos(3));
            assertTrue(s.reuseRecycledWalFileIfQuiet(Duration.ofSeconds(2)), "quiet: flushed");
            Path live = liveWal(db);
            assertEquals(fresh, fileKey(live), "back on the file the loaded checkpoint started, recycled");
            assertTrue(Files.size(live) >= 200 * 1024, "the live WAL holds " + Files.size(live)
                    + " bytes rather than the ~400 KiB written into it since the checkpoint");
            assertFalse(s.reuseRecycledWalFileIfQuiet(Duration.ofSeconds(2)), "already on a recycled file");
        }
    }

    /** Persists and applies 100 entries after {@code index}, each a 4 KiB value; the last index. */
    private static long writeRound(NodeStore s, long index) {
        byte[] value = new byte[4096];
        s.persist(ready(new HardState(3, 1, index + 100), ents(index + 1, index + 100, 3)));
        for (long n = index + 1; n <= index + 100; n++) {
            long key = n % 50;
            s.applyBatch(n, CONF, b -> b.put(key(key), value));
        }
        return index + 100;
    }

    /** The newest WAL file: the one RocksDB writes to (a recycled file is renamed when reused). */
    private static Path liveWal(Path db) throws IOException {
        try (Stream<Path> files = Files.list(db)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".log"))
                    .max(Comparator.comparing(f -> f.getFileName().toString()))
                    .orElseThrow(() -> new AssertionError("no WAL file in " + db));
        }
    }

    /** What identifies {@code file} on its file system whatever its name (its inode on Linux). */
    private static Object fileKey(Path file) throws IOException {
        return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    }

    /**
     * A node's own snapshot is its state as it stands: recorded without a checkpoint, at the
     * applied index with that entry's term and the membership in force, kept across a reopen,
     * and the log compacts behind it.
     */
    @Test
    void theStateAsItStandsIsRecordedAsTheSnapshotAndTheLogCompactsBehindIt() {
        Path at = dir.resolve("recorded");
        try (NodeStore s = NodeStore.open(at, CLUSTER, 1, CONF)) {
            persistSixtyAndApplyUpTo(s, 40);
            SnapshotMeta taken = s.recordStateAsSnapshot();
            assertEquals(new SnapshotMeta(40, 3, CONF), taken);
            assertEquals(taken, s.snapshot());
            s.compact(40);
            assertEquals(41, s.firstIndex());
        }
        try (NodeStore s = NodeStore.open(at, CLUSTER, 1, CONF)) {
            assertEquals(new SnapshotMeta(40, 3, CONF), s.snapshot());
            assertEquals(40, s.appliedIndex());
            assertEquals(41, s.firstIndex());
            assertArrayEquals(bytes("v40"), s.get(key(40)));
        }
    }

    /** A checkpoint made to send holds what was applied by then, and is recorded when newer. */
    @Test
    void aCheckpointHoldsTheIndexAppliedWhenItWasMade() {
        try (NodeStore s = NodeStore.open(dir.resolve("sending"), CLUSTER, 1, CONF)) {
            persistSixtyAndApplyUpTo(s, 40);
            s.recordStateAsSnapshot();
            applyEntries(s, 41, 60);
            SnapshotMeta sent = s.createSnapshot(dir.resolve("checkpoint"));
            assertEquals(new SnapshotMeta(60, 3, CONF), sent);
            assertEquals(sent, s.snapshot());
            assertTrue(Files.isDirectory(dir.resolve("checkpoint")));
        }
    }

    /** Persists entries 1..60 at term 3 into {@code s}, then applies 1..{@code to} of them. */
    private static void persistSixtyAndApplyUpTo(NodeStore s, long to) {
        s.persist(ready(new HardState(3, 1, 60), ents(1, 60, 3)));
        applyEntries(s, 1, to);
    }

    /** Applies entries {@code from..to}, each writing "v" + its index under key index % 50. */
    private static void applyEntries(NodeStore s, long from, long to) {
        for (long i = from; i <= to; i++) {
            long n = i;
            s.applyBatch(i, CONF, b -> b.put(key(n % 50), bytes("v" + n)));
        }
    }

    /** A follower (node 2) with its own older state and a log that conflicts at its tail. */
    private NodeStore follower() {
        NodeStore f = NodeStore.open(dir.resolve("follower"), CLUSTER, 2, CONF);
        if (f.lastIndex() == 0) {
            f.persist(ready(new HardState(2, 1, 10), ents(1, 12, 2)));
            f.applyBatch(10, CONF, b -> b.put(bytes("old-only"), bytes("x")).put(key(0), bytes("old0")));
        }
        return f;
    }

    private static byte[] key(long i) {
        return bytes(String.format("s%02d", i));
    }

    private static Map<String, String> state(NodeStore s) {
        Map<String, String> m = new TreeMap<>();
        s.forEachInRange(null, null, Integer.MAX_VALUE, (k, v) -> m.put(str(k), str(v)));
        return m;
    }

    private static Map<String, String> leaderState() {
        Map<String, String> m = new TreeMap<>();
        for (int i = 0; i < 50; i++) {
            m.put(String.format("s%02d", i), "leader" + i);
        }
        return m;
    }

    private static Map<String, String> oldFollowerState() {
        return new TreeMap<>(Map.of("old-only", "x", "s00", "old0"));
    }

    private void assertInstalled(NodeStore f) {
        assertEquals(leaderState(), state(f));
        assertEquals(50, f.appliedIndex());
        assertEquals(LEADER_CONF, f.appliedConfState());
        assertEquals(LEADER_CONF, f.initialState().confState());
        assertEquals(meta, f.snapshot());
        assertEquals(51, f.firstIndex());
        assertEquals(50, f.lastIndex());
        assertEquals(3, f.term(50));
        assertThrows(CompactedException.class, () -> f.term(49));
        assertTrue(f.hardState().commit() >= 50, "commit raised to the snapshot index");
    }

    private void assertOld(NodeStore f) {
        assertEquals(oldFollowerState(), state(f));
        assertEquals(10, f.appliedIndex());
        assertEquals(12, f.lastIndex());
        assertEquals(1, f.firstIndex());
        assertEquals(ents(1, 12, 2), f.entries(1, 13, Long.MAX_VALUE));
        assertEquals(0, f.snapshot().index());
    }

    @Test
    void installThenPersistReplacesStateAndLog() {
        try (NodeStore f = follower()) {
            f.installSnapshot(meta, checkpoint);
            assertInstalled(f);
            f.persist(ready(new HardState(3, 0, 51), ents(51, 52, 3), meta));
            assertEquals(52, f.lastIndex());
            assertEquals(51, f.firstIndex());
        }
        try (NodeStore f = follower()) {
            assertEquals(leaderState(), state(f));
            assertEquals(50, f.appliedIndex());
            assertEquals(meta, f.snapshot());
            assertEquals(ents(51, 52, 3), f.entries(51, 53, Long.MAX_VALUE));
            assertEquals(3, f.term(50));
            assertEquals(new HardState(3, 0, 51), f.hardState());
            // Applying continues from the snapshot.
            f.applyBatch(51, LEADER_CONF, b -> b.put(bytes("after"), bytes("51")));
            assertEquals("51", str(f.get(bytes("after"))));
        }
    }

    @Test
    void aCrashBetweenInstallAndPersistLeavesAConsistentStore() {
        try (NodeStore f = follower()) {
            f.installSnapshot(meta, checkpoint);
        }
        try (NodeStore f = follower()) {
            assertInstalled(f);
            f.persist(ready(new HardState(3, 0, 50), List.of(), meta)); // the node's retry of that Ready
            assertInstalled(f);
        }
    }

    @Test
    void persistingASnapshotWhoseDataIsNotInstalledIsRefused() {
        try (NodeStore f = follower()) {
            assertThrows(IllegalStateException.class, () -> f.persist(ready(null, List.of(), meta)));
            assertOld(f);
        }
    }

    @Test
    void staleSnapshotIsRefused() {
        try (NodeStore f = follower()) {
            f.persist(entriesOnly(ents(13, 60, 2)));
            for (long i = 11; i <= 55; i++) {
                Fixtures.applyOne(f, i);
            }
            assertThrows(IllegalArgumentException.class, () -> f.installSnapshot(meta, checkpoint));
            assertEquals(55, f.appliedIndex());
        }
    }

    @Test
    void checkpointThatDoesNotMatchTheMetaIsRefused() {
        try (NodeStore f = follower()) {
            StorageException e = assertThrows(StorageException.class,
                    () -> f.installSnapshot(new SnapshotMeta(49, 3, LEADER_CONF), checkpoint));
            assertTrue(e.getMessage().contains("applied index 50"), e.getMessage());
            e = assertThrows(StorageException.class,
                    () -> f.installSnapshot(new SnapshotMeta(50, 4, LEADER_CONF), checkpoint));
            assertTrue(e.getMessage().contains("term 3"), e.getMessage());
            assertOld(f);
        }
    }

    @Test
    void checkpointOfAnotherClusterIsRefused() {
        try (NodeStore f = NodeStore.open(dir.resolve("other"), "other-cluster", 2, CONF)) {
            StorageException e = assertThrows(StorageException.class, () -> f.installSnapshot(meta, checkpoint));
            assertTrue(e.getMessage().contains("'" + CLUSTER + "'") && e.getMessage().contains("other-cluster"),
                    e.getMessage());
        }
    }

    @Test
    void failedInstallLeavesTheOldStoreUsable() {
        try (NodeStore f = follower()) {
            f.installer().batchBytes = 64;
            int[] batches = {0};
            f.installer().probe = phase -> {
                if (phase.equals("copied-batch") && ++batches[0] == 3) {
                    throw new IllegalStateException("disk full (simulated)");
                }
            };
            assertThrows(IllegalStateException.class, () -> f.installSnapshot(meta, checkpoint));
            assertOld(f);
            f.installer().probe = phase -> { };
            f.installSnapshot(meta, checkpoint);
            assertInstalled(f);
        }
    }

    /** Thrown from the probe to stop an install dead, without any cleanup, like a kill -9. */
    static final class SimulatedCrash extends Error {
        SimulatedCrash() {
            super("simulated crash");
        }
    }

    @Test
    void crashMidCopyReopensWithTheOldStateAndLog() throws Exception {
        NodeStore f = follower();
        f.installer().batchBytes = 64;
        int[] batches = {0};
        f.installer().probe = phase -> {
            if (phase.equals("copied-batch") && ++batches[0] == 3) {
                throw new SimulatedCrash();
            }
        };
        assertThrows(SimulatedCrash.class, () -> f.installSnapshot(meta, checkpoint));
        f.close();
        try (RawDb raw = new RawDb(dir.resolve("follower"))) {
            assertTrue(raw.columnFamilies().contains("state.1"), "the crash left a half-filled generation");
        }
        try (NodeStore g = follower()) {
            assertOld(g);
            g.installSnapshot(meta, checkpoint);
            assertInstalled(g);
        }
        try (RawDb raw = new RawDb(dir.resolve("follower"))) {
            List<String> states = new ArrayList<>();
            for (String cf : raw.columnFamilies()) {
                if (cf.startsWith("state")) {
                    states.add(cf);
                }
            }
            assertEquals(List.of("state.1"), states, "only the generation in force remains");
        }
    }

    @Test
    void crashRightAfterTheSwitchReopensWithTheNewState() throws Exception {
        NodeStore f = follower();
        f.installer().probe = phase -> {
            if (phase.equals("switched")) {
                throw new SimulatedCrash();
            }
        };
        assertThrows(SimulatedCrash.class, () -> f.installSnapshot(meta, checkpoint));
        f.close();
        try (NodeStore g = follower()) {
            assertInstalled(g);
        }
        try (RawDb raw = new RawDb(dir.resolve("follower"))) {
            assertFalse(raw.columnFamilies().contains("state"), "the old generation was dropped at open");
        }
    }

    @Test
    void snapshotsChainAcrossGenerations() {
        try (NodeStore f = follower()) {
            f.installSnapshot(meta, checkpoint);
            f.persist(ready(new HardState(3, 0, 60), ents(51, 60, 3), meta));
            for (long i = 51; i <= 60; i++) {
                Fixtures.applyOne(f, i);
            }
            SnapshotMeta again = f.createSnapshot(dir.resolve("follower-60"));
            assertEquals(new SnapshotMeta(60, 3, LEADER_CONF), again);
            f.compact(60);
            // A third store installs the follower's snapshot, made from its second generation.
            try (NodeStore third = NodeStore.open(dir.resolve("third"), CLUSTER, 3, CONF)) {
                third.installSnapshot(again, dir.resolve("follower-60"));
                assertEquals(state(f), state(third));
                assertEquals("v60", str(third.get(bytes("k60"))));
                assertNull(third.get(bytes("old-only")));
            }
        }
    }
}
