package io.kvorum.server.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.server.raft.ConfState;
import io.kvorum.server.raft.SnapshotMeta;
import io.kvorum.server.transport.OutgoingSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotFilesTest {
    private static final ConfState CONF = ConfState.ofVoters(1L, 2L, 3L);

    @TempDir
    Path root;

    /** Stands in for the store: writes one file and says the checkpoint holds index 120. */
    private static SnapshotMeta checkpoint(Path dir) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("CURRENT"), "MANIFEST-000001\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new SnapshotMeta(120, 4, CONF);
    }

    @Test
    void aSnapshotToSendIsACheckpointMadeForItAndDeletedOnceSent() throws IOException {
        SnapshotFiles files = new SnapshotFiles(root, SnapshotFilesTest::checkpoint);
        Path dir;
        try (OutgoingSnapshot out = files.prepareToSend(new SnapshotMeta(100, 3, CONF))) {
            dir = out.directory();
            assertEquals(new SnapshotMeta(120, 4, CONF), out.meta(), "the checkpoint's own metadata, not the asked one");
            assertTrue(Files.isRegularFile(dir.resolve("CURRENT")));
            assertTrue(dir.startsWith(root.resolve("sending")));
        }
        assertFalse(Files.exists(dir), "deleted once the transfer ended");
    }

    @Test
    void twoTransfersOfTheSameSnapshotGetTheirOwnCheckpoints() throws IOException {
        SnapshotFiles files = new SnapshotFiles(root, SnapshotFilesTest::checkpoint);
        SnapshotMeta asked = new SnapshotMeta(100, 3, CONF);
        try (OutgoingSnapshot a = files.prepareToSend(asked); OutgoingSnapshot b = files.prepareToSend(asked)) {
            assertFalse(a.directory().equals(b.directory()));
            a.close();
            assertTrue(Files.isRegularFile(b.directory().resolve("CURRENT")), "closing one leaves the other");
        }
    }

    @Test
    void checkpointsLeftByACrashOrAnEarlierVersionAreRemovedAtStart() throws IOException {
        List<Path> leftovers = List.of(root.resolve("sending").resolve("100-1"), root.resolve("snap-100"),
                root.resolve("checkpointing-0-200"));
        for (Path d : leftovers) {
            Files.createDirectories(d);
            Files.writeString(d.resolve("CURRENT"), "x");
        }
        Path incoming = root.resolve("incoming-2-150-3");
        Files.createDirectories(incoming);
        new SnapshotFiles(root, SnapshotFilesTest::checkpoint);
        for (Path d : leftovers) {
            assertFalse(Files.exists(d), d.toString());
        }
        assertTrue(Files.isDirectory(root.resolve("sending")));
        assertTrue(Files.isDirectory(incoming), "a transfer being received resumes after a restart");
    }

    @Test
    void pruningRemovesOnlyStagedTransfersOlderThanTheSnapshot() throws IOException {
        SnapshotFiles files = new SnapshotFiles(root, SnapshotFilesTest::checkpoint);
        Path old = files.stagingDirFor(2, new SnapshotMeta(90, 3, CONF));
        Path current = files.stagingDirFor(2, new SnapshotMeta(150, 3, CONF));
        Files.createDirectories(old);
        Files.createDirectories(current);
        try (OutgoingSnapshot out = files.prepareToSend(new SnapshotMeta(100, 3, CONF))) {
            files.pruneOlderThan(120);
            assertFalse(Files.exists(old));
            assertTrue(Files.exists(current));
            assertTrue(Files.exists(out.directory()), "a checkpoint being sent is never pruned");
        }
    }
}
