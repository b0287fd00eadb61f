package io.kvorum.server.storage;

import io.kvorum.server.raft.Entry;
import io.kvorum.server.raft.SnapshotMeta;

import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A snapshot checkpoint (made by {@link NodeStore#createSnapshot} on some node) opened
 * read-only, so that {@link NodeStore#installSnapshot} can check it is the data the snapshot
 * metadata describes and then copy its state column family.
 *
 * <p>Read-only: the checkpoint directory is never modified, so a failed install can be
 * retried from the same files.
 */
final class CheckpointReader implements AutoCloseable {
    private final Path dir;
    private final DBOptions options;
    private final RocksDB db;
    private final List<ColumnFamilyHandle> handles;
    private final ColumnFamilyHandle meta;
    private final ColumnFamilyHandle raftLog;
    private final ColumnFamilyHandle raftState;
    private final ColumnFamilyHandle state;

    private CheckpointReader(Path dir, DBOptions options, RocksDB db, List<ColumnFamilyHandle> handles,
                             List<String> names, String stateName) {
        this.dir = dir;
        this.options = options;
        this.db = db;
        this.handles = handles;
        this.meta = handles.get(names.indexOf(StoreLayout.CF_META));
        this.raftLog = handles.get(names.indexOf(StoreLayout.CF_RAFT_LOG));
        this.raftState = handles.get(names.indexOf(StoreLayout.CF_RAFT_STATE));
        this.state = handles.get(names.indexOf(stateName));
    }

    static CheckpointReader open(Path dir) {
        if (!Files.isRegularFile(dir.resolve("CURRENT"))) {
            throw new StorageException("no snapshot checkpoint at " + dir + " (no RocksDB CURRENT file)");
        }
        List<String> names = new ArrayList<>();
        try (Options o = new Options()) {
            for (byte[] n : RocksDB.listColumnFamilies(o, dir.toString())) {
                names.add(new String(n, StandardCharsets.UTF_8));
            }
        } catch (RocksDBException e) {
            throw new StorageException("cannot list column families of checkpoint " + dir + ": " + e.getMessage(), e);
        }
        for (String required : List.of(StoreLayout.CF_META, StoreLayout.CF_RAFT_LOG, StoreLayout.CF_RAFT_STATE)) {
            if (!names.contains(required)) {
                throw new StorageException("checkpoint " + dir + " is not a Kvorum store: no column family '"
                        + required + "' (found " + names + ")");
            }
        }
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        for (String n : names) {
            descriptors.add(new ColumnFamilyDescriptor(n.getBytes(StandardCharsets.UTF_8)));
        }
        DBOptions options = new DBOptions();
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        RocksDB db = null;
        try {
            db = RocksDB.openReadOnly(options, dir.toString(), descriptors, handles);
            ColumnFamilyHandle rs = handles.get(names.indexOf(StoreLayout.CF_RAFT_STATE));
            String stateName = Records.decodeString(StoreLayout.STATE_CF,
                    required(db, rs, StoreLayout.STATE_CF, dir), dir);
            if (!names.contains(stateName)) {
                throw new StorageException("checkpoint " + dir + " names state column family '" + stateName
                        + "' but has only " + names);
            }
            return new CheckpointReader(dir, options, db, handles, names, stateName);
        } catch (RocksDBException | RuntimeException e) {
            handles.forEach(ColumnFamilyHandle::close);
            if (db != null) {
                db.close();
            }
            options.close();
            if (e instanceof StorageException se) {
                throw se;
            }
            throw new StorageException("cannot open checkpoint " + dir + " read-only: " + e.getMessage(), e);
        }
    }

    /**
     * Refuses a checkpoint that is not the data of {@code snap} in cluster {@code clusterId}:
     * another cluster's store, a format this build cannot read, or a state at another applied
     * index, membership or term than the metadata claims.
     */
    void verify(String clusterId, SnapshotMeta snap) {
        try {
            int format = Records.decodeInt(StoreLayout.FORMAT, required(db, meta, StoreLayout.FORMAT, dir), dir);
            if (format != StoreLayout.FORMAT_VERSION) {
                throw new StorageException("checkpoint " + dir + " has format version " + format
                        + ", expected " + StoreLayout.FORMAT_VERSION);
            }
            String cluster = Records.decodeString(StoreLayout.CLUSTER_ID,
                    required(db, meta, StoreLayout.CLUSTER_ID, dir), dir);
            if (!cluster.equals(clusterId)) {
                throw new StorageException("checkpoint " + dir + " belongs to cluster '" + cluster
                        + "', expected '" + clusterId + "'");
            }
            Records.Applied applied = applied();
            if (applied.index() != snap.index() || !applied.conf().equals(snap.conf())) {
                throw new StorageException("checkpoint " + dir + " holds state at applied index "
                        + applied.index() + " with membership " + applied.conf() + ", but the snapshot is at index "
                        + snap.index() + " with membership " + snap.conf());
            }
            long term = termAt(snap.index());
            if (term != snap.term()) {
                throw new StorageException("checkpoint " + dir + " has term " + term + " at index " + snap.index()
                        + ", but the snapshot says term " + snap.term());
            }
        } catch (RocksDBException e) {
            throw new StorageException("cannot read checkpoint " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The applied index and membership the checkpoint's state describes. */
    Records.Applied applied() {
        try {
            return Records.decodeApplied(required(db, raftState, StoreLayout.APPLIED, dir), dir);
        } catch (RocksDBException e) {
            throw new StorageException("cannot read checkpoint " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The cluster the checkpoint's store belongs to. */
    String clusterId() {
        try {
            return Records.decodeString(StoreLayout.CLUSTER_ID, required(db, meta, StoreLayout.CLUSTER_ID, dir), dir);
        } catch (RocksDBException e) {
            throw new StorageException("cannot read checkpoint " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The term of the entry at the checkpoint's applied index. */
    long appliedTerm() {
        try {
            long index = applied().index();
            return index == 0 ? 0 : termAt(index);
        } catch (RocksDBException e) {
            throw new StorageException("cannot read checkpoint " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The checkpoint's state value at {@code key}, or null. */
    byte[] stateGet(byte[] key) {
        try {
            return db.get(state, key);
        } catch (RocksDBException e) {
            throw new StorageException("cannot read checkpoint " + dir + ": " + e.getMessage(), e);
        }
    }

    /** An iterator over the checkpoint's state column family; the caller closes it. */
    RocksIterator stateIterator() {
        return db.newIterator(state);
    }

    /** The term the checkpoint's own log records at {@code index} (its entry, or its anchor). */
    private long termAt(long index) throws RocksDBException {
        byte[] key = StoreLayout.logKey(index);
        byte[] v = db.get(raftLog, key);
        if (v != null) {
            Entry e = Records.decodeEntry(key, v, index, dir);
            return e.term();
        }
        Records.Anchor anchor = Records.decodeAnchor(required(db, raftState, StoreLayout.LOG_ANCHOR, dir), dir);
        if (anchor.index() == index) {
            return anchor.term();
        }
        throw new StorageException("checkpoint " + dir + " has neither an entry nor the anchor at index " + index
                + " (anchor is " + anchor.index() + "): cannot confirm the snapshot's term");
    }

    private static byte[] required(RocksDB db, ColumnFamilyHandle cf, byte[] key, Path dir) throws RocksDBException {
        byte[] v = db.get(cf, key);
        if (v == null) {
            throw new StorageException("checkpoint " + dir + " has no '" + StoreLayout.name(key) + "' record");
        }
        return v;
    }

    @Override
    public void close() {
        handles.forEach(ColumnFamilyHandle::close);
        db.close();
        options.close();
    }
}
