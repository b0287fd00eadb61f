package io.kvorum.server.storage;

import io.kvorum.server.raft.CompactedException;
import io.kvorum.server.raft.Entry;
import io.kvorum.server.raft.HardState;
import io.kvorum.server.raft.Ready;
import io.kvorum.server.raft.SnapshotMeta;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The Raft side of a {@link NodeStore}: the log, the hard state and the latest snapshot's
 * metadata, as the core reads them ({@code entries}, {@code term}, {@code firstIndex},
 * {@code lastIndex}, {@code snapshot}) and the node writes them ({@code persist},
 * {@code compact}, recording a snapshot).
 *
 * <p>Writers hold {@link #lock()}. Readers of the log's shape read an immutable {@link LogView}
 * published after each write lands and never block, not even behind an fsync in progress;
 * recently persisted entries are served from the {@link LogTail} without RocksDB.
 */
final class LogStore {
    /**
     * The tail's bounds. Apply reads entries a batch or two behind the newest, and followers in
     * step read the newest, so a small tail serves both (at 256 writes in flight none were read
     * from RocksDB). Small also means its entries die young: with 16,384 entries each one lived
     * long enough to be promoted to the old generation, and the full collections that refilled
     * it paused a node three times as often.
     */
    private static final int TAIL_ENTRIES = 2_048;
    private static final long TAIL_BYTES = 8L << 20;

    private final StoreDb store;
    private final Path dir;
    private final RocksDB db;
    private final ColumnFamilyHandle raftLog;
    private final ColumnFamilyHandle raftState;
    /** The state side's applied index: a snapshot is persisted only once its data is installed. */
    private final LongSupplier appliedIndex;

    /** Serializes changes to the log and Raft records: persist, compact, snapshots, close. */
    private final ReentrantLock logLock = new ReentrantLock();
    /** Recently persisted entries, served without RocksDB; written under logLock. */
    private final LogTail tail = new LogTail(TAIL_ENTRIES, TAIL_BYTES);

    private volatile LogView logView;
    private volatile HardState hardState;
    private volatile SnapshotMeta snapshot;
    private volatile StoreMetrics metrics = StoreMetrics.NONE;

    LogStore(StoreDb store, LogView log, HardState hardState, SnapshotMeta snapshot, LongSupplier appliedIndex) {
        this.store = store;
        this.dir = store.dir;
        this.db = store.db;
        this.raftLog = store.raftLog;
        this.raftState = store.raftState;
        this.logView = log;
        this.hardState = hardState;
        this.snapshot = snapshot;
        this.appliedIndex = appliedIndex;
    }

    /** Held by whatever changes the log or the Raft records; first in the store's lock order. */
    void lock() {
        logLock.lock();
    }

    void unlock() {
        logLock.unlock();
    }

    void metrics(StoreMetrics m) {
        metrics = m;
    }

    // ---------------------------------------------------------------- reads (any thread)

    /** See {@link NodeStore#entries}. */
    List<Entry> entries(long lo, long hi, long maxBytes) {
        while (true) {
            LogView v = logView;
            if (lo <= v.anchorIndex) {
                throw new CompactedException(lo, v.firstIndex());
            }
            if (hi > v.lastIndex + 1) {
                throw new IllegalArgumentException("entries [" + lo + "," + hi + ") beyond last index " + v.lastIndex);
            }
            if (lo >= hi) {
                return new ArrayList<>();
            }
            List<Entry> cached = tail.read(v, lo, hi, maxBytes);
            if (cached != null) {
                metrics.logEntriesRead(cached.size(), true);
                return cached;
            }
            try {
                List<Entry> read = readEntries(v, lo, hi, maxBytes);
                metrics.logEntriesRead(read.size(), false);
                return read;
            } catch (LogDisagrees d) {
                // Either a write landed after v was read (perhaps still in flight, its view not yet
                // published) or the stored log is damaged. Wait out any write in flight: if the
                // view is still v afterwards, nothing changed the log and it really disagrees.
                logLock.lock();
                logLock.unlock();
                if (logView == v) {
                    throw new StorageException(d.getMessage());
                }
            }
        }
    }

    /**
     * Entries {@code [lo, hi)} as {@code v} describes them. By the Log Matching property an
     * entry with the view's index and term is the entry the view means, so a missing entry or
     * another term means the log is not the one {@code v} describes.
     */
    private List<Entry> readEntries(LogView v, long lo, long hi, long maxBytes) throws LogDisagrees {
        List<Entry> out = new ArrayList<>((int) Math.min(hi - lo, 256));
        long bytes = 0;
        store.guard.readLock().lock();
        try (RocksIterator it = store.newIterator(raftLog)) {
            it.seek(StoreLayout.logKey(lo));
            for (long i = lo; i < hi; i++, it.next()) {
                byte[] key = it.isValid() ? it.key() : null;
                if (key == null || StoreLayout.logIndex(key) != i) {
                    it.status();
                    throw new LogDisagrees("raft_log in " + dir + " is missing the entry at index " + i
                            + " (log is (" + v.anchorIndex + ", " + v.lastIndex + "])");
                }
                Entry e = Records.decodeEntry(key, it.value(), i, dir);
                if (e.term() != v.term(i)) {
                    throw new LogDisagrees("raft_log entry at index " + i + " in " + dir + " has term "
                            + e.term() + ", but the log's term index says " + v.term(i));
                }
                bytes += e.sizeBytes();
                if (!out.isEmpty() && bytes > maxBytes) {
                    break;
                }
                out.add(e);
            }
            return out;
        } catch (RocksDBException e) {
            throw new StorageException("reading raft_log [" + lo + "," + hi + ") in " + dir + " failed: "
                    + e.getMessage(), e);
        } finally {
            store.guard.readLock().unlock();
        }
    }

    /** The stored log does not match the view a read started from (see {@link #entries}). */
    private static final class LogDisagrees extends Exception {
        LogDisagrees(String message) {
            super(message, null, false, false);
        }
    }

    long term(long index) {
        LogView v = logView;
        if (index < v.anchorIndex) {
            throw new CompactedException(index, v.firstIndex());
        }
        if (index > v.lastIndex) {
            throw new IllegalArgumentException("index " + index + " beyond last index " + v.lastIndex);
        }
        return v.term(index);
    }

    long firstIndex() {
        return logView.firstIndex();
    }

    long lastIndex() {
        return logView.lastIndex;
    }

    /** How many entries the log holds, from one view. */
    long entryCount() {
        LogView view = logView;
        return view.lastIndex - view.firstIndex() + 1;
    }

    SnapshotMeta snapshot() {
        return snapshot;
    }

    HardState hardState() {
        return hardState;
    }

    // ---------------------------------------------------------------- writes

    /** See {@link NodeStore#persist}. */
    void persist(Ready rd) {
        logLock.lock();
        try {
            store.ensureOpen();
            LogView view = logView;
            SnapshotMeta snap = snapshot;
            HardState hs = hardState;
            List<Entry> ents;
            try (WriteBatch batch = new WriteBatch()) {
                SnapshotMeta s = rd.snapshot();
                if (s != null) {
                    if (s.index() < snap.index()) {
                        throw new IllegalArgumentException("snapshot at index " + s.index()
                                + " is older than the stored snapshot at " + snap.index());
                    }
                    long applied = appliedIndex.getAsLong();
                    if (applied != s.index()) {
                        throw new IllegalStateException("persisting snapshot at index " + s.index()
                                + " whose data is not installed (applied index is " + applied
                                + "): call installSnapshot before persist");
                    }
                    batch.put(raftState, StoreLayout.SNAPSHOT, Records.encodeSnapshot(s));
                    batch.put(raftState, StoreLayout.LOG_ANCHOR, Records.encodeAnchor(s.index(), s.term()));
                    batch.deleteRange(raftLog, StoreLayout.LOG_BEGIN, StoreLayout.LOG_END);
                    view = LogView.empty(s.index(), s.term());
                    snap = s;
                }
                ents = notCompacted(rd.entries(), view);
                if (!ents.isEmpty()) {
                    LogView next = view.append(ents);
                    for (Entry e : ents) {
                        byte[] key = StoreLayout.logKey(e.index());
                        batch.put(raftLog, key, Records.encodeEntry(key, e));
                    }
                    if (next.lastIndex < view.lastIndex) {
                        // The conflicting suffix beyond the new entries; those below were overwritten.
                        batch.deleteRange(raftLog, StoreLayout.logKey(next.lastIndex + 1),
                                StoreLayout.logKey(view.lastIndex + 1));
                    }
                    view = next;
                }
                if (rd.hardState() != null) {
                    hs = rd.hardState();
                    if (hs.commit() > view.lastIndex) {
                        throw new IllegalArgumentException("hard state commit " + hs.commit()
                                + " beyond last index " + view.lastIndex);
                    }
                    batch.put(raftState, StoreLayout.HARD_STATE, Records.encodeHardState(hs));
                }
                if (batch.count() > 0) {
                    long started = System.nanoTime();
                    db.write(rd.mustSync() ? store.syncWrite : store.asyncWrite, batch);
                    if (rd.mustSync()) {
                        metrics.syncedWrite(System.nanoTime() - started);
                    }
                }
            } catch (RocksDBException e) {
                throw new StorageException("persisting a Ready to " + dir + " failed: " + e.getMessage(), e);
            }
            if (rd.snapshot() != null) {
                tail.reset(rd.snapshot().index());
            }
            tail.appended(ents);
            // Published only after the write landed: readers never see what is not yet durable.
            logView = view;
            snapshot = snap;
            hardState = hs;
        } finally {
            logLock.unlock();
        }
    }

    /** {@code ents} without those at or below the anchor (already covered by a snapshot). */
    private static List<Entry> notCompacted(List<Entry> ents, LogView view) {
        if (ents.isEmpty() || ents.get(0).index() > view.anchorIndex) {
            return ents;
        }
        long skip = view.firstIndex() - ents.get(0).index();
        return skip >= ents.size() ? List.of() : ents.subList((int) skip, ents.size());
    }

    /** See {@link NodeStore#compact}. */
    void compact(long index) {
        logLock.lock();
        try {
            store.ensureOpen();
            LogView v = logView;
            if (index <= v.anchorIndex) {
                return;
            }
            if (index > snapshot.index()) {
                throw new IllegalArgumentException("cannot compact to " + index + " past the latest snapshot at "
                        + snapshot.index());
            }
            LogView next = v.compactTo(index);
            try (WriteBatch batch = new WriteBatch()) {
                batch.deleteRange(raftLog, StoreLayout.LOG_BEGIN, StoreLayout.logKey(index + 1));
                batch.put(raftState, StoreLayout.LOG_ANCHOR, Records.encodeAnchor(index, next.anchorTerm));
                // Not synced: losing a compaction only brings back entries the snapshot covers.
                db.write(store.asyncWrite, batch);
            } catch (RocksDBException e) {
                throw new StorageException("compacting the log of " + dir + " to " + index + " failed: "
                        + e.getMessage(), e);
            }
            tail.compactedTo(index);
            logView = next;
        } finally {
            logLock.unlock();
        }
    }

    /**
     * Records a state applied up to {@code at} (this store's own, or a checkpoint of it) as the
     * latest snapshot, if it is newer than the one recorded; returns its metadata (the term read
     * from the log).
     *
     * @throws IllegalStateException if the log no longer covers {@code at}: a snapshot was
     *         installed meanwhile
     */
    SnapshotMeta recordSnapshot(Records.Applied at) throws RocksDBException {
        logLock.lock();
        try {
            store.ensureOpen();
            LogView v = logView;
            if (!v.covers(at.index())) {
                throw new IllegalStateException("state at applied index " + at.index()
                        + " was superseded by an installed snapshot (log is now (" + v.anchorIndex + ", " + v.lastIndex + "])");
            }
            SnapshotMeta meta = new SnapshotMeta(at.index(), v.term(at.index()), at.conf());
            if (meta.index() > snapshot.index()) {
                // Not synced (and so not an fsync under the log's lock): the next synced write makes
                // it durable, and if a crash loses it, the compaction it allows, written after it
                // into the same write-ahead log, is lost with it.
                db.put(raftState, store.asyncWrite, StoreLayout.SNAPSHOT, Records.encodeSnapshot(meta));
                snapshot = meta;
            }
            return meta;
        } finally {
            logLock.unlock();
        }
    }

    /**
     * Publishes the log an installed snapshot left: empty after {@code meta}, with hard state
     * {@code hs}. The caller holds this store's lock and wrote the records in its switching write.
     */
    void installed(SnapshotMeta meta, HardState hs) {
        Objects.requireNonNull(meta, "meta");
        snapshot = meta;
        hardState = hs;
        tail.reset(meta.index());
        logView = LogView.empty(meta.index(), meta.term());
    }
}
