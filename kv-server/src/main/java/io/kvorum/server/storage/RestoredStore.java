package io.kvorum.server.storage;

import io.kvorum.server.raft.ConfState;
import io.kvorum.server.raft.HardState;
import io.kvorum.server.raft.SnapshotMeta;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the store of a member of a new cluster from a backup's state, as if that member had
 * just installed a snapshot at {@code index}: the state column family holds the backup's
 * entries, applied index and snapshot are {@code index} with the new membership, the log is
 * empty with its anchor there, and the commit is {@code index}. So the node starts with the
 * data applied, elects a leader among the new members, and a member added later receives the
 * state as a snapshot rather than replaying a log that never held it.
 *
 * <p>All or nothing: the store is written in a sibling directory and renamed into place once
 * complete and synced; a restore that fails or crashes leaves no store at {@code dir}.
 */
public final class RestoredStore {
    private static final Logger LOG = LoggerFactory.getLogger(RestoredStore.class);
    /** The term of the restored snapshot: the new cluster's first leader is elected in term 2. */
    static final long TERM = 1;
    private static final int BATCH_BYTES = 4 << 20;

    private RestoredStore() {
    }

    /** Takes the backup's entries into the new store. */
    @FunctionalInterface
    public interface Source {
        /** Calls {@code sink} with each entry in key order; throws when the backup is unreadable. */
        void forEach(Sink sink) throws IOException;
    }

    /** Receives the entries of a {@link Source}. */
    @FunctionalInterface
    public interface Sink {
        void put(byte[] key, byte[] value) throws IOException;
    }

    /**
     * Creates the store at {@code dir}, which must not exist.
     *
     * @return how many state entries it holds
     * @throws IllegalArgumentException if {@code dir} exists
     * @throws IOException              if the source fails; nothing is left at {@code dir}
     */
    public static long create(Path dir, String clusterId, long nodeId, long index, ConfState conf, Source source)
            throws IOException {
        Path target = dir.toAbsolutePath();
        if (Files.exists(target)) {
            throw new IllegalArgumentException("refusing to restore into " + target + ": it already exists");
        }
        if (index <= 0) {
            throw new IllegalArgumentException("a restored store starts at a positive index, got " + index);
        }
        Path staging = target.resolveSibling(target.getFileName() + ".restoring");
        CheckpointExport.deleteTree(staging);
        Files.createDirectories(staging);
        long keys;
        try {
            keys = fill(staging, clusterId, nodeId, index, conf, source);
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            CheckpointExport.deleteTree(staging);
            throw e;
        }
        LOG.info("restored store at {}: cluster '{}', node {}, index {}, membership {}, {} state entries", target,
                clusterId, nodeId, index, conf, keys);
        return keys;
    }

    private static long fill(Path dir, String clusterId, long nodeId, long index, ConfState conf, Source source)
            throws IOException {
        List<String> names = List.of(StoreLayout.CF_DEFAULT, StoreLayout.CF_META, StoreLayout.CF_RAFT_LOG,
                StoreLayout.CF_RAFT_STATE, StoreLayout.CF_STATE);
        try (RocksResources rocks = RocksResources.open(dir, names, null);
             WriteOptions async = new WriteOptions().setSync(false);
             WriteOptions sync = new WriteOptions().setSync(true);
             WriteBatch batch = new WriteBatch()) {
            ColumnFamilyHandle state = rocks.cf(StoreLayout.CF_STATE);
            long[] keys = new long[1];
            source.forEach((k, v) -> {
                try {
                    batch.put(state, k, v);
                    keys[0]++;
                    if (batch.getDataSize() >= BATCH_BYTES) {
                        rocks.db.write(async, batch);
                        batch.clear();
                    }
                } catch (RocksDBException e) {
                    throw new StorageException("writing restored state to " + dir + " failed: " + e.getMessage(), e);
                }
            });
            SnapshotMeta snap = new SnapshotMeta(index, TERM, conf);
            ColumnFamilyHandle meta = rocks.cf(StoreLayout.CF_META);
            ColumnFamilyHandle raftState = rocks.cf(StoreLayout.CF_RAFT_STATE);
            batch.put(meta, StoreLayout.FORMAT, Records.encodeInt(StoreLayout.FORMAT, StoreLayout.FORMAT_VERSION));
            batch.put(meta, StoreLayout.CLUSTER_ID, Records.encodeString(StoreLayout.CLUSTER_ID, clusterId));
            batch.put(meta, StoreLayout.NODE_ID, Records.encodeLong(StoreLayout.NODE_ID, nodeId));
            batch.put(raftState, StoreLayout.HARD_STATE, Records.encodeHardState(new HardState(TERM, 0, index)));
            batch.put(raftState, StoreLayout.SNAPSHOT, Records.encodeSnapshot(snap));
            batch.put(raftState, StoreLayout.LOG_ANCHOR, Records.encodeAnchor(index, TERM));
            batch.put(raftState, StoreLayout.APPLIED, Records.encodeApplied(index, conf));
            batch.put(raftState, StoreLayout.STATE_CF, Records.encodeString(StoreLayout.STATE_CF, StoreLayout.CF_STATE));
            // Synced: the WAL sync also makes every earlier unsynced state batch durable.
            rocks.db.write(sync, batch);
            return keys[0];
        } catch (RocksDBException e) {
            throw new StorageException("writing restored store " + dir + " failed: " + e.getMessage(), e);
        }
    }
}
