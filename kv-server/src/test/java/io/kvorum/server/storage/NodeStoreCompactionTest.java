package io.kvorum.server.storage;

import static io.kvorum.server.storage.Fixtures.applyOne;
import static io.kvorum.server.storage.Fixtures.ents;
import static io.kvorum.server.storage.Fixtures.entriesOnly;
import static io.kvorum.server.storage.Fixtures.open;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kvorum.server.raft.CompactedException;
import io.kvorum.server.raft.SnapshotMeta;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Compaction drops the log prefix a snapshot covers and keeps the boundary's term. */
class NodeStoreCompactionTest {
    @TempDir
    Path dir;

    /** Log 1..4 at term 1, 5..10 at term 2; applied and snapshotted at 6. */
    private NodeStore storeWithSnapshotAt6() {
        NodeStore s = open(dir.resolve("db"));
        s.persist(entriesOnly(ents(1, 4, 1)));
        s.persist(entriesOnly(ents(5, 10, 2)));
        for (long i = 1; i <= 6; i++) {
            applyOne(s, i);
        }
        SnapshotMeta meta = s.createSnapshot(dir.resolve("snap6"));
        assertEquals(new SnapshotMeta(6, 2, Fixtures.CONF), meta);
        assertEquals(meta, s.snapshot());
        return s;
    }

    @Test
    void termAtTheBoundaryIsKeptAndBelowItIsCompacted() {
        try (NodeStore s = storeWithSnapshotAt6()) {
            s.compact(5);
            assertBoundaryAt5(s);
        }
        try (NodeStore s = open(dir.resolve("db"))) {
            assertBoundaryAt5(s);
        }
    }

    private static void assertBoundaryAt5(NodeStore s) {
        assertEquals(6, s.firstIndex());
        assertEquals(10, s.lastIndex());
        assertEquals(2, s.term(5), "the compaction index keeps its term");
        assertEquals(2, s.term(6));
        CompactedException e = assertThrows(CompactedException.class, () -> s.term(4));
        assertEquals("index 4 is compacted (first index is 6)", e.getMessage());
        assertThrows(CompactedException.class, () -> s.entries(5, 7, Long.MAX_VALUE));
        assertThrows(CompactedException.class, () -> s.entries(1, 7, Long.MAX_VALUE));
        assertEquals(ents(6, 10, 2), s.entries(6, 11, Long.MAX_VALUE));
    }

    @Test
    void compactingAcrossATermChangeKeepsTheRightTerms() {
        try (NodeStore s = storeWithSnapshotAt6()) {
            s.compact(4);
            assertEquals(1, s.term(4));
            assertEquals(2, s.term(5));
            s.compact(6);
            assertEquals(2, s.term(6));
            assertEquals(7, s.firstIndex());
            assertThrows(CompactedException.class, () -> s.term(5));
        }
    }

    @Test
    void compactingPastTheSnapshotIsRefused() {
        try (NodeStore s = storeWithSnapshotAt6()) {
            assertThrows(IllegalArgumentException.class, () -> s.compact(7));
            assertEquals(1, s.firstIndex());
        }
    }

    @Test
    void compactingAtOrBelowTheAnchorDoesNothing() {
        try (NodeStore s = storeWithSnapshotAt6()) {
            s.compact(6);
            s.compact(3);
            s.compact(6);
            assertEquals(7, s.firstIndex());
            assertEquals(2, s.term(6));
        }
    }

    @Test
    void appendsAfterCompactionSkipWhatTheSnapshotCovers() {
        try (NodeStore s = storeWithSnapshotAt6()) {
            s.compact(6);
            // A leader resending 5..12 at term 2: 5 and 6 are covered, 7..10 rewritten, 11..12 new.
            s.persist(entriesOnly(ents(5, 12, 2)));
            assertEquals(7, s.firstIndex());
            assertEquals(12, s.lastIndex());
            assertEquals(ents(7, 12, 2), s.entries(7, 13, Long.MAX_VALUE));
            // Entirely below the first index: nothing to write.
            s.persist(entriesOnly(ents(2, 5, 1)));
            assertEquals(12, s.lastIndex());
        }
        try (NodeStore s = open(dir.resolve("db"))) {
            assertEquals(7, s.firstIndex());
            List<io.kvorum.server.raft.Entry> all = new ArrayList<>(s.entries(7, 13, Long.MAX_VALUE));
            assertEquals(ents(7, 12, 2), all);
        }
    }
}
