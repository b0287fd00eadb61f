package io.kvorum.server.node;

import io.kvorum.server.raft.SnapshotMeta;
import io.kvorum.server.transport.SnapshotStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The node's snapshot directories: {@code snap-<index>} for checkpoints it took (streamed to
 * followers that fell behind the compacted log) and {@code incoming-<from>-<index>-<term>}
 * for snapshots being received (kept across restarts so a transfer resumes); a checkpoint being
 * taken is written to {@code checkpointing-0-<index>} first.
 */
public final class SnapshotFiles implements SnapshotStore {
    private final Path root;

    SnapshotFiles(Path root) {
        this.root = root;
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create snapshot directory " + root, e);
        }
    }

    @Override
    public Path directoryFor(SnapshotMeta meta) {
        return root.resolve("snap-" + meta.index());
    }

    @Override
    public Path stagingDirFor(long from, SnapshotMeta meta) {
        return root.resolve("incoming-" + from + "-" + meta.index() + "-" + meta.term());
    }

    /**
     * Where a node with data dir {@code dataDir} keeps its checkpoint at {@code index}: a
     * restore puts the restored snapshot there, so the leader can send it to members added later.
     */
    public static Path checkpointDir(Path dataDir, long index) {
        return dataDir.resolve("snapshots").resolve("snap-" + index);
    }

    /**
     * Where to write a new checkpoint of the store that has applied at least {@code index}
     * (emptied first); it is moved to {@link #snapshotDir} of the index it holds once that is
     * known. Named like a staging directory so that pruning treats it by {@code index}.
     */
    Path newCheckpointStaging(long index) throws IOException {
        Path dir = root.resolve("checkpointing-0-" + index);
        deleteTree(dir);
        return dir;
    }

    /** Where the checkpoint at {@code index} lives (emptied first when {@code fresh}). */
    Path snapshotDir(long index, boolean fresh) {
        Path dir = root.resolve("snap-" + index);
        if (fresh) {
            discard(dir);
        }
        return dir;
    }

    /**
     * Removes checkpoints older than {@code keepIndex} except the one just before it (a
     * transfer of it may still be running), and every staging directory of an older snapshot.
     */
    void pruneOlderThan(long keepIndex) throws IOException {
        List<Path> dirs;
        try (Stream<Path> s = Files.list(root)) {
            dirs = s.sorted(Comparator.comparingLong(SnapshotFiles::indexOf).reversed()).toList();
        }
        boolean keptPrevious = false;
        for (Path d : dirs) {
            long idx = indexOf(d);
            boolean isSnap = d.getFileName().toString().startsWith("snap-");
            if (idx >= keepIndex) {
                continue;
            }
            if (isSnap && !keptPrevious) {
                keptPrevious = true;
                continue;
            }
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

    private static long indexOf(Path p) {
        String[] parts = p.getFileName().toString().split("-");
        try {
            return Long.parseLong(parts[parts[0].equals("snap") ? 1 : 2]);
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
