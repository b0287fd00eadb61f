package io.kvorum.server.node;

import io.kvorum.server.raft.SnapshotMeta;
import io.kvorum.server.transport.OutgoingSnapshot;
import io.kvorum.server.transport.SnapshotStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The node's snapshot directories: {@code incoming-<from>-<index>-<term>} for snapshots being
 * received (kept across restarts so a transfer resumes), and under {@code sending/} the
 * checkpoints made to send to followers that fell behind the compacted log, each deleted once
 * its transfer ended (and any left by a crash, or by a version that kept a checkpoint for every
 * snapshot, at the next start). The node's own snapshots are not directories: its state is the
 * snapshot's data ({@code NodeStore#recordStateAsSnapshot}).
 */
public final class SnapshotFiles implements SnapshotStore {
    /** Makes a checkpoint of the node's store into a directory and returns what it holds. */
    interface Checkpointer {
        SnapshotMeta checkpointInto(Path dir);
    }

    private final Path root;
    private final Path sending;
    private final Checkpointer checkpointer;
    private final AtomicLong checkpointsMade = new AtomicLong();

    SnapshotFiles(Path root, Checkpointer checkpointer) {
        this.root = root;
        this.sending = root.resolve("sending");
        this.checkpointer = checkpointer;
        try {
            Files.createDirectories(root);
            deleteTree(sending); // checkpoints of transfers a crash cut short
            Files.createDirectories(sending);
            removeCheckpointsOfEarlierVersions();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create snapshot directory " + root, e);
        }
    }

    /**
     * Deletes the {@code snap-<index>} and {@code checkpointing-0-<index>} checkpoints that
     * versions taking a checkpoint for every snapshot kept here: nothing reads them now, and
     * their hard links would keep files the store has since compacted away on disk.
     */
    private void removeCheckpointsOfEarlierVersions() throws IOException {
        deleteWhere(d -> {
            String name = d.getFileName().toString();
            return name.startsWith("snap-") || name.startsWith("checkpointing-");
        });
    }

    @Override
    public OutgoingSnapshot prepareToSend(SnapshotMeta requested) {
        // A fresh name: the counter is this process's, and the directory was emptied at start.
        Path dir = sending.resolve(requested.index() + "-" + checkpointsMade.incrementAndGet());
        SnapshotMeta meta = checkpointer.checkpointInto(dir);
        return new OutgoingSnapshot(dir, meta, () -> discard(dir));
    }

    @Override
    public Path stagingDirFor(long from, SnapshotMeta meta) {
        return root.resolve("incoming-" + from + "-" + meta.index() + "-" + meta.term());
    }

    /**
     * Removes the staging directories of snapshots older than {@code keepIndex}: transfers
     * abandoned before the node moved past them.
     */
    void pruneOlderThan(long keepIndex) throws IOException {
        deleteWhere(d -> d.getFileName().toString().startsWith("incoming-") && indexOf(d) < keepIndex);
    }

    /** Deletes the directories directly under the root that {@code doomed} accepts. */
    private void deleteWhere(Predicate<Path> doomed) throws IOException {
        List<Path> dirs;
        try (Stream<Path> s = Files.list(root)) {
            dirs = s.filter(doomed).toList();
        }
        for (Path d : dirs) {
            deleteTree(d);
        }
    }

    /** Removes a staged snapshot once installed or refused. */
    void discard(Path staged) {
        try {
            deleteTree(staged);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + staged, e);
        }
    }

    /** The index in {@code incoming-<from>-<index>-<term>}; -1 if the name does not parse. */
    private static long indexOf(Path p) {
        String[] parts = p.getFileName().toString().split("-");
        try {
            return Long.parseLong(parts[2]);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Bytes of the files under {@code dir}; 0 if it cannot be read (the figure is for metrics only). */
    static long sizeOf(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException | UncheckedIOException e) {
            return 0;
        }
    }
}
