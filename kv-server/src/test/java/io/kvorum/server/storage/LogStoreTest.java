package io.kvorum.server.storage;

import static io.kvorum.server.storage.Fixtures.CLUSTER;
import static io.kvorum.server.storage.Fixtures.CONF;
import static io.kvorum.server.storage.Fixtures.ents;
import static io.kvorum.server.storage.Fixtures.entriesOnly;
import static io.kvorum.server.storage.Fixtures.ready;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.server.raft.Entry;
import io.kvorum.server.raft.HardState;
import io.kvorum.server.raft.SnapshotMeta;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The log side on its own, over a real RocksDB, with the state side's applied index under the
 * test's control: what it asks of the state side and what it records of snapshots.
 */
class LogStoreTest {
    @TempDir
    Path dir;

    private RocksResources rocks;
    private StoreDb db;
    private LogStore log;
    private final AtomicLong applied = new AtomicLong();

    @BeforeEach
    void open() {
        List<String> names = List.of(StoreLayout.CF_DEFAULT, StoreLayout.CF_META, StoreLayout.CF_RAFT_LOG,
                StoreLayout.CF_RAFT_STATE, StoreLayout.CF_STATE);
        rocks = RocksResources.open(dir, names, null);
        StoreRecovery.Recovered r = StoreRecovery.recover(rocks, CLUSTER, 1, CONF);
        db = new StoreDb(dir, rocks);
        log = new LogStore(db, r.log(), r.hardState(), r.snapshot(), applied::get);
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void readsAreServedFromTheTailWhileItHoldsTheEntriesAndReportedBySource() {
        long[] fromMemory = {0};
        long[] fromStore = {0};
        log.metrics(new StoreMetrics() {
            @Override
            public void logEntriesRead(int count, boolean memory) {
                (memory ? fromMemory : fromStore)[0] += count;
            }
        });
        int written = 3_000; // more than the tail keeps, so the oldest are only in RocksDB
        for (int lo = 1; lo <= written; lo += 500) {
            log.persist(entriesOnly(ents(lo, lo + 499, 1)));
        }

        List<Entry> newest = log.entries(written - 9, written + 1, Long.MAX_VALUE);
        assertEquals(10, newest.size());
        assertEquals(10, fromMemory[0], "the newest entries come from the tail");
        assertEquals(0, fromStore[0]);

        List<Entry> oldest = log.entries(1, 11, Long.MAX_VALUE);
        assertEquals(1, oldest.get(0).index());
        assertEquals(10, oldest.size());
        assertEquals(10, fromStore[0], "entries the tail dropped are read from RocksDB");
        assertEquals(10, fromMemory[0]);
    }

    @Test
    void aSnapshotIsPersistedOnlyOnceTheStateSideHasItsData() {
        log.persist(entriesOnly(ents(1, 5, 1)));
        SnapshotMeta snap = new SnapshotMeta(20, 2, CONF);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> log.persist(ready(new HardState(2, 0, 20), List.of(), snap)));
        assertTrue(e.getMessage().contains("applied index is 0"), e.getMessage());
        assertEquals(5, log.lastIndex(), "nothing was written");

        applied.set(20);
        log.persist(ready(new HardState(2, 0, 20), List.of(), snap));
        assertEquals(snap, log.snapshot());
        assertEquals(21, log.firstIndex());
        assertEquals(20, log.lastIndex());
        assertEquals(0, log.entryCount());
        assertEquals(2, log.term(20));
    }

    @Test
    void recordingASnapshotTakesTheTermFromTheLogAndNeverGoesBack() throws Exception {
        log.persist(entriesOnly(ents(1, 3, 1)));
        log.persist(entriesOnly(ents(4, 6, 2)));
        assertEquals(6, log.entryCount());

        SnapshotMeta at5 = log.recordSnapshot(new Records.Applied(5, CONF));
        assertEquals(new SnapshotMeta(5, 2, CONF), at5);
        assertEquals(at5, log.snapshot());

        // An older checkpoint finishing late describes itself but does not replace the newer one.
        SnapshotMeta at2 = log.recordSnapshot(new Records.Applied(2, CONF));
        assertEquals(new SnapshotMeta(2, 1, CONF), at2);
        assertEquals(at5, log.snapshot());
    }

    @Test
    void aCheckpointTheLogNoLongerCoversIsRefused() throws Exception {
        log.persist(entriesOnly(ents(1, 6, 1)));
        log.recordSnapshot(new Records.Applied(5, CONF));
        log.compact(5);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> log.recordSnapshot(new Records.Applied(3, CONF)));
        assertTrue(e.getMessage().contains("superseded"), e.getMessage());
        assertEquals(5, log.snapshot().index());
    }

    @Test
    void anInstalledSnapshotLeavesAnEmptyLogAfterIt() {
        log.persist(entriesOnly(ents(1, 4, 1)));
        SnapshotMeta snap = new SnapshotMeta(50, 3, CONF);
        HardState hs = new HardState(3, 2, 50);
        log.installed(snap, hs);
        assertEquals(snap, log.snapshot());
        assertEquals(hs, log.hardState());
        assertEquals(51, log.firstIndex());
        assertEquals(50, log.lastIndex());
        assertEquals(3, log.term(50));
        // The cache forgot the old entries: the next append starts right after the snapshot.
        log.persist(entriesOnly(ents(51, 52, 3)));
        assertEquals(List.of(51L, 52L), log.entries(51, 53, Long.MAX_VALUE).stream().map(x -> x.index()).toList());
    }

    @Test
    void readsStopAtTheirByteLimitFromTheTailCacheAndFromDisk() {
        // The leader reads what it sends a follower far behind in one append: bounded by bytes,
        // not by an entry count, whether the entries are still cached or only on disk.
        List<Entry> written = new ArrayList<>();
        for (long i = 1; i <= 100; i++) {
            written.add(Entry.normal(1, i, new byte[10_000]));
        }
        log.persist(entriesOnly(written));
        long entryBytes = written.get(0).sizeBytes();
        assertEquals(List.of(1L, 2L, 3L, 4L), indexes(log.entries(1, 101, 5 * entryBytes - 1)), "from the tail cache");
        close();
        open();
        assertEquals(List.of(1L, 2L, 3L, 4L), indexes(log.entries(1, 101, 5 * entryBytes - 1)), "from disk");
        assertEquals(List.of(7L), indexes(log.entries(7, 101, 100)), "one entry above the limit still comes alone");
    }

    private static List<Long> indexes(List<Entry> entries) {
        return entries.stream().map(Entry::index).toList();
    }

    @Test
    void aClosedStoreRefusesWritesNamingItsPath() {
        db.close();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> log.persist(entriesOnly(ents(1, 1, 1))));
        assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("closed"), e.getMessage());
        assertEquals(StoreStats.EMPTY, db.stats(0));
    }
}
