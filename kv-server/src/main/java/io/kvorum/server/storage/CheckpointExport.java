package io.kvorum.server.storage;

import io.kvorum.server.raft.ConfState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * A checkpoint made by {@link NodeStore#checkpoint} for a backup, opened read-only: the state
 * machine's data at one applied index and what describes it. Closing it deletes the
 * checkpoint directory (its files are hard links to the live store's, so it costs little
 * while open and nothing after).
 */
public final class CheckpointExport implements AutoCloseable {
    private final Path dir;
    private final CheckpointReader reader;

    private CheckpointExport(Path dir, CheckpointReader reader) {
        this.dir = dir;
        this.reader = reader;
    }

    /** Checkpoints {@code store} into {@code dir} (which must not exist) and opens it. */
    public static CheckpointExport of(NodeStore store, Path dir) {
        store.checkpoint(dir);
        try {
            return new CheckpointExport(dir, CheckpointReader.open(dir.toAbsolutePath()));
        } catch (RuntimeException e) {
            deleteTree(dir);
            throw e;
        }
    }

    public String clusterId() {
        return reader.clusterId();
    }

    public long appliedIndex() {
        return reader.applied().index();
    }

    public ConfState conf() {
        return reader.applied().conf();
    }

    /** The term of the entry at {@link #appliedIndex()}. */
    public long appliedTerm() {
        return reader.appliedTerm();
    }

    /** The state value at {@code key}, or null. */
    public byte[] get(byte[] key) {
        return reader.stateGet(key);
    }

    /** Something that takes the state's entries one by one and may fail with an IOException. */
    @FunctionalInterface
    public interface StateVisitor {
        void accept(byte[] key, byte[] value) throws IOException;
    }

    /** Visits every state entry in key order. */
    public void forEachState(StateVisitor visitor) throws IOException {
        try (RocksIterator it = reader.stateIterator()) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                visitor.accept(it.key(), it.value());
            }
            it.status();
        } catch (RocksDBException e) {
            throw new StorageException("iterating checkpoint " + dir + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        reader.close();
        deleteTree(dir);
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove checkpoint " + dir, e);
        }
    }
}
