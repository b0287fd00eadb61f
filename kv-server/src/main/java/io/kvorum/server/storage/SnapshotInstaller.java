package io.kvorum.server.storage;

import io.kvorum.server.raft.HardState;
import io.kvorum.server.raft.SnapshotMeta;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Replaces a {@link NodeStore}'s state with a leader's snapshot checkpoint and moves its log to
 * the snapshot, as one crash-safe step; {@link NodeStore#installSnapshot} says how and why it
 * is safe. It is the one operation that changes both sides at once, so it holds the log's lock,
 * the state's lock and, to switch, the database guard, in that order.
 */
final class SnapshotInstaller {
    private static final Logger log = LoggerFactory.getLogger(SnapshotInstaller.class);

    private final StoreDb store;
    private final String clusterId;
    private final LogStore raftLog;
    private final StateStore state;

    /** Test hook: called at named points of an install ("copied-batch", "switched"). */
    volatile Consumer<String> probe = phase -> { };
    /** How many bytes of state an install copies per WriteBatch; small in tests. */
    volatile int batchBytes = 4 << 20;

    SnapshotInstaller(StoreDb store, String clusterId, LogStore raftLog, StateStore state) {
        this.store = store;
        this.clusterId = clusterId;
        this.raftLog = raftLog;
        this.state = state;
    }

    /** See {@link NodeStore#installSnapshot}. */
    void install(SnapshotMeta meta, Path checkpointDir) {
        Objects.requireNonNull(meta, "meta");
        raftLog.lock();
        state.lock();
        try {
            store.ensureOpen();
            long appliedIndex = state.appliedIndex();
            if (meta.index() <= appliedIndex) {
                throw new IllegalArgumentException("snapshot at index " + meta.index()
                        + " is not beyond the applied index " + appliedIndex);
            }
            String oldName = state.generation();
            String newName = StoreLayout.stateCfName(StoreLayout.stateGeneration(oldName) + 1);
            ColumnFamilyHandle newCf;
            HardState hs = raftLog.hardState();
            try (CheckpointReader source = CheckpointReader.open(checkpointDir.toAbsolutePath())) {
                source.verify(clusterId, meta);
                newCf = store.rocks.createStateCf(newName);
                try {
                    long copied = copyState(source, newCf);
                    if (hs.commit() < meta.index()) {
                        // The snapshot is committed by definition; a commit below it would make
                        // a restarted core refuse a log whose anchor is past its commit.
                        hs = new HardState(hs.term(), hs.vote(), meta.index());
                    }
                    try (WriteBatch sw = new WriteBatch()) {
                        sw.put(store.raftState, StoreLayout.STATE_CF, Records.encodeString(StoreLayout.STATE_CF, newName));
                        sw.put(store.raftState, StoreLayout.APPLIED, Records.encodeApplied(meta.index(), meta.conf()));
                        sw.put(store.raftState, StoreLayout.SNAPSHOT, Records.encodeSnapshot(meta));
                        sw.put(store.raftState, StoreLayout.LOG_ANCHOR, Records.encodeAnchor(meta.index(), meta.term()));
                        sw.put(store.raftState, StoreLayout.HARD_STATE, Records.encodeHardState(hs));
                        sw.deleteRange(store.raftLog, StoreLayout.LOG_BEGIN, StoreLayout.LOG_END);
                        store.db.write(store.syncWrite, sw);
                    }
                    log.info("store at {}: installed snapshot at index {} term {} ({} state keys) into '{}'",
                            store.dir, meta.index(), meta.term(), copied, newName);
                } catch (RocksDBException | RuntimeException e) {
                    // Nothing points at the new generation yet: dropping it restores the old store.
                    // (An Error, such as a simulated crash, skips this; the next open drops it.)
                    dropQuietly(newName);
                    throw e;
                }
            } catch (RocksDBException e) {
                throw new StorageException("installing snapshot " + meta.index() + " from " + checkpointDir
                        + " into " + store.dir + " failed: " + e.getMessage(), e);
            }
            probe.accept("switched");
            store.guard.writeLock().lock();
            try {
                state.switchTo(newCf, newName, new Records.Applied(meta.index(), meta.conf()));
                raftLog.installed(meta, hs);
            } finally {
                store.guard.writeLock().unlock();
            }
            dropQuietly(oldName);
        } finally {
            state.unlock();
            raftLog.unlock();
        }
    }

    /** Copies the checkpoint's state into {@code target} in unsynced batches; returns the key count. */
    private long copyState(CheckpointReader source, ColumnFamilyHandle target) throws RocksDBException {
        long keys = 0;
        try (RocksIterator it = source.stateIterator(); WriteBatch batch = new WriteBatch()) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                batch.put(target, it.key(), it.value());
                keys++;
                if (batch.getDataSize() >= batchBytes) {
                    store.db.write(store.asyncWrite, batch);
                    batch.clear();
                    probe.accept("copied-batch");
                }
            }
            it.status();
            if (batch.count() > 0) {
                store.db.write(store.asyncWrite, batch);
                probe.accept("copied-batch");
            }
        }
        return keys;
    }

    private void dropQuietly(String cfName) {
        try {
            store.rocks.drop(cfName);
        } catch (RocksDBException | RuntimeException e) {
            log.warn("store at {}: could not drop column family '{}' ({}); it is dropped at the next open",
                    store.dir, cfName, e.toString());
        }
    }
}
