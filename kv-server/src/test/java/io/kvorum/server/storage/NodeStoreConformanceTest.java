package io.kvorum.server.storage;

import static io.kvorum.server.storage.Fixtures.CLUSTER;
import static io.kvorum.server.storage.Fixtures.CONF;
import static io.kvorum.server.storage.Fixtures.ready;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvorum.server.raft.CompactedException;
import io.kvorum.server.raft.ConfState;
import io.kvorum.server.raft.Entry;
import io.kvorum.server.raft.EntryType;
import io.kvorum.server.raft.HardState;
import io.kvorum.server.raft.MemoryStorage;
import io.kvorum.server.raft.SnapshotMeta;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/**
 * NodeStore must answer exactly as {@link MemoryStorage}, the reference the core is tested
 * against: the same random sequence of appends (with conflicting suffixes and already
 * compacted prefixes), hard states, applies, snapshots with compaction, snapshot installs and
 * reopens is run against both, and after every step entries, terms, first and last index,
 * snapshot and initial state are compared, including which reads throw what. A failing seed
 * replays exactly.
 */
class NodeStoreConformanceTest {
    @TempDir
    Path dir;

    private Random rnd;
    private MemoryStorage mem;
    private NodeStore store;
    private ConfState conf = CONF;
    private long maxTerm = 1;
    private int checkpoints;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void sameAnswersAsMemoryStorage(long seed) {
        rnd = new Random(seed);
        mem = new MemoryStorage(CONF);
        store = NodeStore.open(dir.resolve("node"), CLUSTER, 1, CONF);
        try {
            for (int step = 0; step < 120; step++) {
                int op = rnd.nextInt(100);
                String what;
                if (op < 45) {
                    what = append();
                } else if (op < 60) {
                    what = hardState();
                } else if (op < 80) {
                    what = apply();
                } else if (op < 88) {
                    what = snapshotAndCompact();
                } else if (op < 93) {
                    what = installSnapshot();
                } else {
                    what = reopen();
                }
                compare("seed " + seed + " step " + step + " (" + what + ")");
            }
        } finally {
            store.close();
        }
    }

    /**
     * Either a leader's new entries, which may overwrite the uncommitted suffix (never a
     * committed entry: Raft does not), or a resend of the entries the log already has, reaching
     * back below the first index (those are already covered by the snapshot).
     */
    private String append() {
        long first = mem.firstIndex();
        long last = mem.lastIndex();
        long commit = mem.initialState().hardState().commit();
        List<Entry> ents = new ArrayList<>();
        if (rnd.nextInt(5) == 0 && last >= first) {
            long from = Math.max(1, first - 2);
            for (long i = from; i < first; i++) {
                ents.add(Entry.normal(mem.term(first - 1), i, null));
            }
            // Through the last index: appending replaces everything after the first new entry,
            // and a resend must not cut off committed entries.
            ents.addAll(mem.entries(first, last + 1, Long.MAX_VALUE));
        } else {
            long start = commit + 1 + rnd.nextInt((int) (last - commit + 1));
            if (rnd.nextInt(4) == 0) {
                maxTerm++;
            }
            int n = 1 + rnd.nextInt(6);
            for (long i = start; i < start + n; i++) {
                EntryType type = rnd.nextInt(10) == 0 ? EntryType.CONF_CHANGE : EntryType.NORMAL;
                byte[] data = new byte[rnd.nextInt(40)];
                rnd.nextBytes(data);
                ents.add(new Entry(maxTerm, i, type, data));
            }
        }
        HardState hs = rnd.nextBoolean() ? null : new HardState(maxTerm, rnd.nextInt(4), commit);
        mem.append(ents);
        if (hs != null) {
            mem.setHardState(hs);
        }
        store.persist(ready(hs, ents));
        return "append " + ents.get(0).index() + ".." + ents.get(ents.size() - 1).index();
    }

    private String hardState() {
        HardState hs = new HardState(maxTerm, rnd.nextInt(4), committable());
        mem.setHardState(hs);
        store.persist(ready(hs, List.of()));
        return "hard state " + hs;
    }

    /** A commit index the log can hold: not beyond the last index, not below the applied one. */
    private long committable() {
        long lo = Math.max(store.appliedIndex(), mem.initialState().hardState().commit());
        long hi = mem.lastIndex();
        return lo >= hi ? Math.min(lo, hi) : lo + rnd.nextInt((int) (hi - lo + 1));
    }

    private String apply() {
        long applied = store.appliedIndex();
        long commit = mem.initialState().hardState().commit();
        if (commit <= applied) {
            return "apply: nothing committed";
        }
        long to = applied + 1 + rnd.nextInt((int) (commit - applied));
        if (rnd.nextInt(5) == 0) {
            conf = conf.isMember(4) ? CONF : ConfState.ofVoters(1L, 2L, 3L, 4L);
        }
        ConfState c = conf;
        store.applyBatch(to, c, b -> b.put(Fixtures.bytes("k"), Fixtures.bytes("applied " + to)));
        mem.setConfState(c);
        return "apply to " + to;
    }

    private String snapshotAndCompact() {
        long applied = store.appliedIndex();
        if (applied <= mem.snapshot().index()) {
            return "snapshot: nothing new applied";
        }
        SnapshotMeta meta = store.createSnapshot(dir.resolve("cp" + checkpoints++));
        store.compact(meta.index());
        mem.createSnapshotAndCompact(meta.index(), store.appliedConfState());
        return "snapshot+compact at " + meta.index();
    }

    /** A leader, far ahead, sends its snapshot; the follower installs it and persists the Ready. */
    private String installSnapshot() {
        long index = Math.max(store.appliedIndex(), mem.lastIndex()) + 1 + rnd.nextInt(10);
        maxTerm++;
        Path cp = dir.resolve("cp" + checkpoints++);
        SnapshotMeta meta;
        try (NodeStore leader = NodeStore.open(dir.resolve("leader" + checkpoints), CLUSTER, 9, CONF)) {
            leader.persist(ready(new HardState(maxTerm, 9, index), Fixtures.ents(1, index, maxTerm)));
            leader.applyBatch(index, conf, b -> b.put(Fixtures.bytes("k"), Fixtures.bytes("leader " + index)));
            meta = leader.createSnapshot(cp);
        }
        HardState hs = new HardState(maxTerm, 9, index);
        store.installSnapshot(meta, cp);
        store.persist(ready(hs, List.of(), meta));
        mem.applySnapshot(meta);
        mem.setHardState(hs);
        return "install snapshot at " + index;
    }

    private String reopen() {
        store.close();
        store = NodeStore.open(dir.resolve("node"), CLUSTER, 1, CONF);
        return "reopen";
    }

    private void compare(String where) {
        assertEquals(mem.firstIndex(), store.firstIndex(), where + ": firstIndex");
        assertEquals(mem.lastIndex(), store.lastIndex(), where + ": lastIndex");
        assertEquals(mem.snapshot(), store.snapshot(), where + ": snapshot");
        assertEquals(mem.initialState(), store.initialState(), where + ": initialState");
        long first = mem.firstIndex();
        long last = mem.lastIndex();
        for (long i = Math.max(0, first - 3); i <= last + 2; i++) {
            long idx = i;
            assertEquals(outcome(() -> mem.term(idx)), outcome(() -> store.term(idx)), where + ": term(" + i + ")");
        }
        assertEquals(mem.entries(first, last + 1, Long.MAX_VALUE), store.entries(first, last + 1, Long.MAX_VALUE),
                where + ": all entries");
        for (int k = 0; k < 5; k++) {
            long lo = Math.max(0, first - 2 + rnd.nextInt((int) (last - first + 4)));
            long hi = lo + rnd.nextInt((int) (last - lo + 3));
            long maxBytes = rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(200);
            assertEquals(outcome(() -> mem.entries(lo, hi, maxBytes)), outcome(() -> store.entries(lo, hi, maxBytes)),
                    where + ": entries(" + lo + ", " + hi + ", " + maxBytes + ")");
        }
    }

    /** A result or the kind and message of the exception: both must match. */
    private static Object outcome(Supplier<Object> read) {
        try {
            return read.get();
        } catch (CompactedException | IllegalArgumentException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }
}
