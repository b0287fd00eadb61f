package io.kvorum.server.storage;

import io.kvorum.server.raft.ConfState;
import io.kvorum.server.raft.Entry;
import io.kvorum.server.raft.HardState;
import io.kvorum.server.raft.SnapshotMeta;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns an opened RocksDB into the verified starting state of a {@link NodeStore}: creates
 * the records of a new store, or checks an existing one before anything is served from it.
 *
 * <p>Checked at every open, and refused with a {@link StorageException} naming the path and
 * what was expected versus found: the format version; the cluster id and node id (a data dir
 * copied from another node or cluster must never vote here); every record's checksum; every
 * log entry's checksum, and that the log runs without gaps from the anchor to the last index
 * with terms that never decrease (the whole log is read: it is bounded by compaction and CRC32C
 * runs at gigabytes per second, and reading it also builds the in-memory term index); and
 * that the pieces agree: anchor ≤ snapshot index ≤ applied index ≤ last index, and commit ≤
 * last index (a commit beyond the log means acknowledged entries were lost).
 *
 * <p>Also finishes what a crash interrupted: a state column family left by an unfinished
 * snapshot install (not the one {@code state_cf} names) is dropped.
 */
final class StoreRecovery {
    private static final Logger log = LoggerFactory.getLogger(StoreRecovery.class);
    private static final int SCAN_CHUNK = 1024;

    /** What a store starts from. */
    record Recovered(HardState hardState, SnapshotMeta snapshot, Records.Applied applied, LogView log,
                     String stateCf) {
    }

    private final RocksResources rocks;
    private final RocksDB db;
    private final Path dir;
    private final ColumnFamilyHandle meta;
    private final ColumnFamilyHandle raftLog;
    private final ColumnFamilyHandle raftState;

    private StoreRecovery(RocksResources rocks) {
        this.rocks = rocks;
        this.db = rocks.db;
        this.dir = rocks.dir;
        this.meta = rocks.cf(StoreLayout.CF_META);
        this.raftLog = rocks.cf(StoreLayout.CF_RAFT_LOG);
        this.raftState = rocks.cf(StoreLayout.CF_RAFT_STATE);
    }

    static Recovered recover(RocksResources rocks, String clusterId, long nodeId, ConfState initialConf) {
        StoreRecovery r = new StoreRecovery(rocks);
        try {
            if (r.isEmpty(r.meta)) {
                if (!r.isEmpty(r.raftLog) || !r.isEmpty(r.raftState)) {
                    throw new StorageException("store at " + r.dir + " holds Raft data but no meta records "
                            + "(cluster id, node id, format version): corrupt, or not written by Kvorum");
                }
                // A new store, or one whose creation crashed before its first (atomic) write.
                return r.initialize(clusterId, nodeId, initialConf);
            }
            r.checkIdentity(clusterId, nodeId);
            return r.load();
        } catch (RocksDBException e) {
            throw new StorageException("cannot read store at " + r.dir + ": " + e.getMessage(), e);
        }
    }

    private Recovered initialize(String clusterId, long nodeId, ConfState initialConf) throws RocksDBException {
        if (!rocks.columnFamilies().contains(StoreLayout.CF_STATE)) {
            rocks.createStateCf(StoreLayout.CF_STATE);
        }
        SnapshotMeta snap = new SnapshotMeta(0, 0, initialConf);
        try (WriteBatch b = new WriteBatch(); WriteOptions sync = new WriteOptions().setSync(true)) {
            b.put(meta, StoreLayout.FORMAT, Records.encodeInt(StoreLayout.FORMAT, StoreLayout.FORMAT_VERSION));
            b.put(meta, StoreLayout.CLUSTER_ID, Records.encodeString(StoreLayout.CLUSTER_ID, clusterId));
            b.put(meta, StoreLayout.NODE_ID, Records.encodeLong(StoreLayout.NODE_ID, nodeId));
            b.put(raftState, StoreLayout.HARD_STATE, Records.encodeHardState(HardState.EMPTY));
            b.put(raftState, StoreLayout.SNAPSHOT, Records.encodeSnapshot(snap));
            b.put(raftState, StoreLayout.LOG_ANCHOR, Records.encodeAnchor(0, 0));
            b.put(raftState, StoreLayout.APPLIED, Records.encodeApplied(0, initialConf));
            b.put(raftState, StoreLayout.STATE_CF, Records.encodeString(StoreLayout.STATE_CF, StoreLayout.CF_STATE));
            db.write(sync, b);
        }
        log.info("created store at {} for cluster '{}', node {}, membership {}", dir, clusterId, nodeId, initialConf);
        return new Recovered(HardState.EMPTY, snap, new Records.Applied(0, initialConf), LogView.empty(0, 0),
                StoreLayout.CF_STATE);
    }

    private void checkIdentity(String clusterId, long nodeId) throws RocksDBException {
        // The format first: if it is unknown, nothing else can be read with confidence.
        int format = Records.decodeInt(StoreLayout.FORMAT, required(meta, StoreLayout.FORMAT), dir);
        if (format != StoreLayout.FORMAT_VERSION) {
            throw new StorageException("store at " + dir + " has format version " + format
                    + "; this build reads only version " + StoreLayout.FORMAT_VERSION);
        }
        String cluster = Records.decodeString(StoreLayout.CLUSTER_ID, required(meta, StoreLayout.CLUSTER_ID), dir);
        if (!cluster.equals(clusterId)) {
            throw new StorageException("cluster id mismatch for store at " + dir + ": expected '" + clusterId
                    + "', found '" + cluster + "' (is the data directory another cluster's?)");
        }
        long node = Records.decodeLong(StoreLayout.NODE_ID, required(meta, StoreLayout.NODE_ID), dir);
        if (node != nodeId) {
            throw new StorageException("node id mismatch for store at " + dir + ": expected " + nodeId
                    + ", found " + node + " (is the data directory another node's?)");
        }
    }

    private Recovered load() throws RocksDBException {
        HardState hs = Records.decodeHardState(required(raftState, StoreLayout.HARD_STATE), dir);
        SnapshotMeta snap = Records.decodeSnapshot(required(raftState, StoreLayout.SNAPSHOT), dir);
        Records.Anchor anchor = Records.decodeAnchor(required(raftState, StoreLayout.LOG_ANCHOR), dir);
        Records.Applied applied = Records.decodeApplied(required(raftState, StoreLayout.APPLIED), dir);
        String stateCf = Records.decodeString(StoreLayout.STATE_CF, required(raftState, StoreLayout.STATE_CF), dir);
        if (!StoreLayout.isStateCf(stateCf) || !rocks.columnFamilies().contains(stateCf)) {
            throw new StorageException("store at " + dir + " names state column family '" + stateCf
                    + "', which does not exist (found " + rocks.columnFamilies() + ")");
        }
        for (String cf : rocks.columnFamilies()) {
            if (StoreLayout.isStateCf(cf) && !cf.equals(stateCf)) {
                log.warn("store at {}: dropping column family '{}' left by an interrupted snapshot install "
                        + "('{}' is in force)", dir, cf, stateCf);
                rocks.drop(cf);
            }
        }

        long started = System.nanoTime();
        LogView view = scanLog(anchor);
        log.info("opened store at {}: log ({}, {}], {}, applied {}, snapshot {} (log verified in {} ms)",
                dir, view.anchorIndex, view.lastIndex, hs, applied.index(), snap.index(),
                (System.nanoTime() - started) / 1_000_000);

        check(anchor.index() <= snap.index(), "log compacted to " + anchor.index()
                + " past the latest snapshot at " + snap.index());
        check(snap.index() <= applied.index(), "snapshot at " + snap.index() + " is ahead of applied index "
                + applied.index());
        check(applied.index() >= view.anchorIndex && applied.index() <= view.lastIndex, "applied index "
                + applied.index() + " is outside the log [" + view.anchorIndex + ", " + view.lastIndex + "]");
        check(hs.commit() <= view.lastIndex, "hard state commit " + hs.commit() + " is beyond the last log index "
                + view.lastIndex + ": committed entries are missing");
        return new Recovered(hs, snap, applied, view, stateCf);
    }

    /** Reads and verifies every stored entry, building the term index as it goes. */
    private LogView scanLog(Records.Anchor anchor) {
        LogView view = LogView.empty(anchor.index(), anchor.term());
        long expect = anchor.index() + 1;
        List<Entry> chunk = new ArrayList<>(SCAN_CHUNK);
        try (RocksIterator it = db.newIterator(raftLog)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                byte[] key = it.key();
                long index = StoreLayout.logIndex(key);
                if (index < 0) {
                    throw new StorageException("raft_log in " + dir + " holds a key of " + key.length
                            + " bytes; log keys are 8-byte indexes");
                }
                if (index != expect) {
                    throw new StorageException("raft_log in " + dir + " is not contiguous: expected index "
                            + expect + ", found " + index + (expect == anchor.index() + 1
                            ? " (the log anchor is " + anchor.index() + ")" : ""));
                }
                chunk.add(Records.decodeEntry(key, it.value(), index, dir));
                expect++;
                if (chunk.size() == SCAN_CHUNK) {
                    view = extend(view, chunk);
                    chunk.clear();
                }
            }
            try {
                it.status();
            } catch (RocksDBException e) {
                throw new StorageException("reading raft_log in " + dir + " failed after index " + (expect - 1)
                        + ": " + e.getMessage(), e);
            }
        }
        return chunk.isEmpty() ? view : extend(view, chunk);
    }

    private LogView extend(LogView view, List<Entry> chunk) {
        try {
            return view.append(chunk);
        } catch (IllegalArgumentException e) {
            throw new StorageException("raft_log in " + dir + " is inconsistent: " + e.getMessage());
        }
    }

    private void check(boolean ok, String what) {
        if (!ok) {
            throw new StorageException("store at " + dir + " is inconsistent: " + what);
        }
    }

    private boolean isEmpty(ColumnFamilyHandle cf) {
        try (RocksIterator it = db.newIterator(cf)) {
            it.seekToFirst();
            return !it.isValid();
        }
    }

    private byte[] required(ColumnFamilyHandle cf, byte[] key) throws RocksDBException {
        byte[] v = db.get(cf, key);
        if (v == null) {
            throw new StorageException("store at " + dir + " has no '" + StoreLayout.name(key)
                    + "' record: corrupt or incomplete");
        }
        return v;
    }
}
