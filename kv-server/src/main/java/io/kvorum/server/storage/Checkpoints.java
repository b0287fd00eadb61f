package io.kvorum.server.storage;

import io.kvorum.server.raft.SnapshotMeta;

import org.rocksdb.Checkpoint;
import org.rocksdb.RocksDBException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.LongFunction;

/**
 * Makes RocksDB checkpoints of a {@link NodeStore}: snapshots, recorded in the log as the
 * latest one and sent to followers that fell behind, and plain checkpoints for backups. A
 * checkpoint is taken under the shared database guard only, so the node goes on persisting
 * and applying while it is made.
 */
final class Checkpoints {
    private static final Logger log = LoggerFactory.getLogger(Checkpoints.class);

    private final StoreDb store;
    private final LogStore raftLog;

    Checkpoints(StoreDb store, LogStore raftLog) {
        this.store = store;
        this.raftLog = raftLog;
    }

    /** See {@link NodeStore#createSnapshot(Path, LongFunction)}. */
    SnapshotMeta createSnapshot(Path stagingDir, LongFunction<Path> placeAt) {
        Path staging = stagingDir.toAbsolutePath();
        checkpoint(staging);
        Records.Applied at;
        try (CheckpointReader r = CheckpointReader.open(staging)) {
            at = r.applied();
        }
        Path target = placeAt.apply(at.index()).toAbsolutePath();
        if (!target.equals(staging)) {
            try {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new StorageException("moving checkpoint " + staging + " to " + target + " failed: "
                        + e.getMessage(), e);
            }
        }
        try {
            SnapshotMeta meta = raftLog.recordSnapshot(at);
            log.info("store at {}: snapshot at index {} term {} in {}", store.dir, meta.index(), meta.term(), target);
            return meta;
        } catch (RocksDBException e) {
            throw new StorageException("recording snapshot in " + store.dir + " failed: " + e.getMessage(), e);
        }
    }

    /** See {@link NodeStore#checkpoint}. */
    void checkpoint(Path checkpointDir) {
        Path target = checkpointDir.toAbsolutePath();
        if (Files.exists(target)) {
            throw new IllegalArgumentException("checkpoint directory " + target + " already exists");
        }
        store.guard.readLock().lock();
        try (Checkpoint cp = Checkpoint.create(store.db)) {
            store.ensureOpen();
            cp.createCheckpoint(target.toString());
        } catch (RocksDBException e) {
            throw new StorageException("creating checkpoint " + target + " of " + store.dir + " failed: "
                    + e.getMessage(), e);
        } finally {
            store.guard.readLock().unlock();
        }
    }
}
