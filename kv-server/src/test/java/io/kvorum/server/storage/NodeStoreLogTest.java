package io.kvorum.server.storage;

import static io.kvorum.server.storage.Fixtures.CONF;
import static io.kvorum.server.storage.Fixtures.ents;
import static io.kvorum.server.storage.Fixtures.entriesOnly;
import static io.kvorum.server.storage.Fixtures.open;
import static io.kvorum.server.storage.Fixtures.ready;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kvorum.server.raft.CompactedException;
import io.kvorum.server.raft.Entry;
import io.kvorum.server.raft.EntryType;
import io.kvorum.server.raft.HardState;
import io.kvorum.server.raft.InitialState;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Statistics;
import org.rocksdb.TickerType;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The Raft log and hard state: what persist writes is what a reopened store reads. */
class NodeStoreLogTest {
    @TempDir
    Path dir;

    @Test
    void newStoreIsEmptyWithInitialMembership() {
        try (NodeStore s = open(dir)) {
            assertEquals(1, s.firstIndex());
            assertEquals(0, s.lastIndex());
            assertEquals(0, s.term(0));
            assertEquals(new InitialState(HardState.EMPTY, CONF), s.initialState());
            assertEquals(0, s.appliedIndex());
            assertEquals(0, s.snapshot().index());
        }
    }

    @Test
    void persistedEntriesAndHardStateSurviveReopen() {
        List<Entry> written = new ArrayList<>(ents(1, 3, 1));
        written.add(new Entry(2, 4, EntryType.CONF_CHANGE, new byte[] {1, 2, 3}));
        written.add(new Entry(2, 5, EntryType.NORMAL, null));
        HardState hs = new HardState(2, 3, 4);
        try (NodeStore s = open(dir)) {
            s.persist(ready(hs, written));
            assertEquals(written, s.entries(1, 6, Long.MAX_VALUE));
        }
        try (NodeStore s = open(dir)) {
            assertEquals(1, s.firstIndex());
            assertEquals(5, s.lastIndex());
            assertEquals(written, s.entries(1, 6, Long.MAX_VALUE));
            assertEquals(1, s.term(3));
            assertEquals(2, s.term(4));
            assertEquals(hs, s.initialState().hardState());
            assertEquals(CONF, s.initialState().confState());
        }
    }

    @Test
    void hardStateAloneIsPersisted() {
        try (NodeStore s = open(dir)) {
            s.persist(ready(new HardState(5, 2, 0), List.of()));
        }
        try (NodeStore s = open(dir)) {
            assertEquals(new HardState(5, 2, 0), s.hardState());
        }
    }

    @Test
    void conflictingSuffixIsReplacedAndTheRestDeleted() {
        try (NodeStore s = open(dir)) {
            s.persist(entriesOnly(ents(1, 10, 1)));
            s.persist(entriesOnly(ents(6, 7, 2)));
            assertEquals(7, s.lastIndex());
            assertEquals(ents(1, 5, 1), s.entries(1, 6, Long.MAX_VALUE));
            assertEquals(ents(6, 7, 2), s.entries(6, 8, Long.MAX_VALUE));
            assertThrows(IllegalArgumentException.class, () -> s.term(8));
        }
        try (NodeStore s = open(dir)) {
            assertEquals(7, s.lastIndex());
            assertEquals(2, s.term(7));
            assertEquals(1, s.term(5));
            List<Entry> expect = new ArrayList<>(ents(1, 5, 1));
            expect.addAll(ents(6, 7, 2));
            assertEquals(expect, s.entries(1, 8, Long.MAX_VALUE));
        }
    }

    @Test
    void longerConflictingSuffixExtendsTheLog() {
        try (NodeStore s = open(dir)) {
            s.persist(entriesOnly(ents(1, 5, 1)));
            s.persist(entriesOnly(ents(4, 9, 3)));
            assertEquals(9, s.lastIndex());
            assertEquals(1, s.term(3));
            assertEquals(3, s.term(4));
            assertEquals(ents(4, 9, 3), s.entries(4, 10, Long.MAX_VALUE));
        }
    }

    @Test
    void oneFsyncPerReadyHoweverManyEntries() {
        try (Statistics stats = new Statistics()) {
            try (NodeStore s = NodeStore.open(dir, Fixtures.CLUSTER, 1, CONF, o -> o.setStatistics(stats))) {
                long before = stats.getTickerCount(TickerType.WAL_FILE_SYNCED);
                s.persist(ready(new HardState(1, 1, 0), ents(1, 1000, 1)));
                assertEquals(1, stats.getTickerCount(TickerType.WAL_FILE_SYNCED) - before,
                        "one Ready of 1000 entries and a hard state: one WAL sync");
                for (int i = 0; i < 10; i++) {
                    s.persist(entriesOnly(ents(1001 + i, 1001 + i, 1)));
                }
                assertEquals(11, stats.getTickerCount(TickerType.WAL_FILE_SYNCED) - before,
                        "ten more Readys: ten more syncs");
                assertEquals(1010, s.lastIndex());
            }
        }
    }

    @Test
    void emptyReadyWritesNothing() {
        try (Statistics stats = new Statistics()) {
            try (NodeStore s = NodeStore.open(dir, Fixtures.CLUSTER, 1, CONF, o -> o.setStatistics(stats))) {
                long before = stats.getTickerCount(TickerType.WAL_FILE_SYNCED);
                s.persist(entriesOnly(List.of()));
                assertEquals(0, stats.getTickerCount(TickerType.WAL_FILE_SYNCED) - before);
            }
        }
    }

    @Test
    void entriesHonourMaxBytesButReturnAtLeastOne() {
        try (NodeStore s = open(dir)) {
            s.persist(entriesOnly(ents(1, 10, 1)));
            long one = s.entries(1, 2, Long.MAX_VALUE).get(0).sizeBytes();
            assertEquals(1, s.entries(1, 10, 0).size());
            assertEquals(1, s.entries(1, 10, one).size());
            assertEquals(2, s.entries(1, 10, 2 * one + 1).size());
            assertEquals(9, s.entries(1, 10, Long.MAX_VALUE).size());
            assertEquals(List.of(), s.entries(4, 4, Long.MAX_VALUE));
        }
    }

    @Test
    void outOfRangeReadsFailLikeMemoryStorage() {
        try (NodeStore s = open(dir)) {
            s.persist(entriesOnly(ents(1, 3, 1)));
            assertThrows(IllegalArgumentException.class, () -> s.entries(1, 5, Long.MAX_VALUE));
            assertThrows(IllegalArgumentException.class, () -> s.term(4));
            assertThrows(CompactedException.class, () -> s.entries(0, 2, Long.MAX_VALUE));
        }
    }

    @Test
    void invalidReadysAreRefusedBeforeAnythingIsWritten() {
        try (NodeStore s = open(dir)) {
            s.persist(ready(new HardState(2, 1, 2), ents(1, 3, 2)));
            assertThrows(IllegalArgumentException.class, () -> s.persist(entriesOnly(ents(5, 6, 2))), "gap");
            assertThrows(IllegalArgumentException.class, () -> s.persist(entriesOnly(ents(4, 4, 1))),
                    "term going backwards");
            assertThrows(IllegalArgumentException.class,
                    () -> s.persist(ready(new HardState(2, 1, 9), ents(4, 4, 2))), "commit past the log");
            List<Entry> notContiguous = new ArrayList<>(ents(4, 4, 2));
            notContiguous.addAll(ents(6, 6, 2));
            assertThrows(IllegalArgumentException.class, () -> s.persist(entriesOnly(notContiguous)));
            assertEquals(3, s.lastIndex());
            assertEquals(new HardState(2, 1, 2), s.hardState());
        }
        try (NodeStore s = open(dir)) {
            assertEquals(3, s.lastIndex());
            assertEquals(new HardState(2, 1, 2), s.hardState());
        }
    }

    @Test
    void closedStoreRefusesUse() {
        NodeStore s = open(dir);
        s.close();
        s.close(); // idempotent
        assertThrows(IllegalStateException.class, () -> s.persist(entriesOnly(ents(1, 1, 1))));
        assertThrows(IllegalStateException.class, () -> s.get(new byte[] {1}));
    }
}
