package io.kvorum.server.storage;

import static io.kvorum.server.storage.Fixtures.CONF;
import static io.kvorum.server.storage.Fixtures.applyOne;
import static io.kvorum.server.storage.Fixtures.bytes;
import static io.kvorum.server.storage.Fixtures.ents;
import static io.kvorum.server.storage.Fixtures.entriesOnly;
import static io.kvorum.server.storage.Fixtures.open;
import static io.kvorum.server.storage.Fixtures.str;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kvorum.server.raft.ConfState;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/** Applying: the state change and the applied index that describes it are one write. */
class NodeStoreApplyTest {
    @TempDir
    Path dir;

    @Test
    void appliedStateAndIndexSurviveReopen() {
        ConfState four = ConfState.ofVoters(1L, 2L, 3L, 4L);
        try (NodeStore s = open(dir)) {
            s.persist(entriesOnly(ents(1, 3, 1)));
            applyOne(s, 1);
            s.applyBatch(3, four, b -> b.put(bytes("a"), bytes("1")).put(bytes("b"), bytes("2")).delete(bytes("k1")));
        }
        try (NodeStore s = open(dir)) {
            assertEquals(3, s.appliedIndex());
            assertEquals(four, s.appliedConfState());
            assertEquals(four, s.initialState().confState());
            assertEquals("1", str(s.get(bytes("a"))));
            assertEquals("2", str(s.get(bytes("b"))));
            assertNull(s.get(bytes("k1")));
        }
    }

    @Test
    void aCrashBeforeTheApplyLeavesNeitherStateNorIndex() {
        try (NodeStore s = open(dir)) {
            s.persist(entriesOnly(ents(1, 2, 1)));
            applyOne(s, 1);
            // Entry 2 is durable in the log but the process "dies" before applying it.
        }
        try (NodeStore s = open(dir)) {
            assertEquals(1, s.appliedIndex());
            assertEquals("v1", str(s.get(bytes("k1"))));
            assertNull(s.get(bytes("k2")));
            // Replay resumes exactly after the stored applied index.
            applyOne(s, 2);
            assertEquals("v2", str(s.get(bytes("k2"))));
        }
    }

    @Test
    void aFailureHalfwayThroughABatchWritesNothing() {
        try (NodeStore s = open(dir)) {
            s.persist(entriesOnly(ents(1, 2, 1)));
            applyOne(s, 1);
            assertThrows(IllegalStateException.class, () -> s.applyBatch(2, CONF, b -> {
                b.put(bytes("x"), bytes("half"));
                throw new IllegalStateException("state machine failed midway");
            }));
            assertEquals(1, s.appliedIndex());
            assertNull(s.get(bytes("x")));
        }
        try (NodeStore s = open(dir)) {
            assertEquals(1, s.appliedIndex());
            assertNull(s.get(bytes("x")));
        }
    }

    @Test
    void applyingTwiceOrAheadOfTheLogIsRefused() {
        try (NodeStore s = open(dir)) {
            s.persist(entriesOnly(ents(1, 2, 1)));
            applyOne(s, 2);
            assertThrows(IllegalStateException.class, () -> applyOne(s, 2));
            assertThrows(IllegalStateException.class, () -> applyOne(s, 1));
            assertThrows(IllegalStateException.class, () -> applyOne(s, 3));
            assertEquals(2, s.appliedIndex());
        }
    }

    @Test
    void batchCannotBeUsedAfterApplyReturns() {
        AtomicReference<StateBatch> leaked = new AtomicReference<>();
        try (NodeStore s = open(dir)) {
            s.persist(entriesOnly(ents(1, 1, 1)));
            s.applyBatch(1, CONF, leaked::set);
            assertThrows(IllegalStateException.class, () -> leaked.get().put(bytes("late"), bytes("x")));
        }
    }

    @Test
    void rangeAndPrefixIterationVisitInByteOrderWithinLimits() {
        try (NodeStore s = open(dir)) {
            s.persist(entriesOnly(ents(1, 2, 1)));
            s.applyBatch(1, CONF, b -> {
                for (String k : List.of("/a", "/a/1", "/a/2", "/a/3", "/b", "/b/1")) {
                    b.put(bytes(k), bytes("v" + k));
                }
            });
            assertEquals(List.of("/a", "/a/1", "/a/2", "/a/3", "/b", "/b/1"), keys(s, null, null, 100));
            assertEquals(List.of("/a/1", "/a/2"), keys(s, bytes("/a/"), bytes("/a/3"), 100));
            assertEquals(List.of("/a/1", "/a/2"), keys(s, bytes("/a/"), null, 2));
            List<String> prefixed = new ArrayList<>();
            assertEquals(3, s.forEachWithPrefix(bytes("/a/"), 10, (k, v) -> prefixed.add(str(k))));
            assertEquals(List.of("/a/1", "/a/2", "/a/3"), prefixed);
            s.applyBatch(2, CONF, b -> b.deleteRange(bytes("/a/"), bytes("/a0")));
            assertEquals(List.of("/a", "/b", "/b/1"), keys(s, null, null, 100));
        }
    }

    @Test
    void prefixEndIsTheFirstKeyAfterThePrefix() {
        assertArrayEquals(new byte[] {1, 3}, StateReader.prefixEnd(new byte[] {1, 2}));
        assertArrayEquals(new byte[] {2}, StateReader.prefixEnd(new byte[] {1, (byte) 0xFF}));
        assertNull(StateReader.prefixEnd(new byte[] {(byte) 0xFF, (byte) 0xFF}));
    }

    private static List<String> keys(NodeStore s, byte[] from, byte[] to, int limit) {
        List<String> out = new ArrayList<>();
        s.forEachInRange(from, to, limit, (k, v) -> out.add(str(k)));
        return out;
    }
}
