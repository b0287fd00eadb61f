package io.kvorum.server.storage;

import io.kvorum.server.raft.CompactedException;
import io.kvorum.server.raft.ConfState;
import io.kvorum.server.raft.Entry;
import io.kvorum.server.raft.HardState;
import io.kvorum.server.raft.InitialState;
import io.kvorum.server.raft.RaftStorage;
import io.kvorum.server.raft.Ready;
import io.kvorum.server.raft.SnapshotMeta;

import org.rocksdb.Checkpoint;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * Everything one node keeps on disk, in one RocksDB (layout in {@link StoreLayout}): the Raft
 * log and hard state the core reads through {@link RaftStorage}, the state machine's data with
 * the applied index that describes it, and snapshots as RocksDB checkpoints.
 *
 * <h2>How the node uses it</h2>
 * <ol>
 *   <li>For each {@link Ready}: if it carries a snapshot, {@link #installSnapshot} its data
 *       first (received from the leader as a checkpoint directory), then {@link #persist} the
 *       Ready; only then send the messages that promise durability.</li>
 *   <li>Apply committed entries with {@link #applyBatch}, in order.</li>
 *   <li>Now and then, {@link #createSnapshot} into a fresh directory (the data a lagging
 *       follower will be sent) and {@link #compact} the log up to at most its index.</li>
 * </ol>
 *
 * <h2>Invariants, as they hold on disk after any crash</h2>
 * <ul>
 *   <li>Term, vote and commit are one record, written with the entries of the same Ready in
 *       one synced WriteBatch: one fsync per Ready however many entries (group commit), and
 *       nothing the core promises another node can be lost (etcd-io/etcd#7317).</li>
 *   <li>The applied index and its membership are written in the same WriteBatch as the state
 *       change they describe, so replay after a crash never applies an entry twice or skips one
 *       (etcd-io/etcd#13766). That write is not synced: the WAL keeps writes in order and a later
 *       synced write makes it durable, and if it is lost the log still holds the entries and
 *       replay re-applies them.</li>
 *   <li>{@code anchor ≤ snapshot index ≤ applied index ≤ last index} and
 *       {@code commit ≤ last index}; the log is contiguous over {@code (anchor, last]}; every
 *       log entry and Raft record carries a CRC32C that is verified when it is read, and the
 *       whole log is verified at open (see {@link StoreRecovery}).</li>
 *   <li>A snapshot install switches the state generation, the applied index, the snapshot meta,
 *       the cleared log and the commit in one synced write: after a crash the store has either
 *       the old state and log or the new ones (see {@link #installSnapshot}).</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * The log side ({@code persist}, {@code compact}, {@code installSnapshot}) and the apply side
 * ({@code applyBatch}) each take their own lock, so persisting and applying may run on
 * different threads. {@link #term}, {@link #firstIndex}, {@link #lastIndex} and
 * {@link #snapshot} read an immutable view published after each write lands and never block,
 * not even behind an fsync in progress. {@link #entries}, {@link #get} and
 * {@link #forEachInRange} may be called from any thread.
 */
public final class NodeStore implements RaftStorage, StateReader, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeStore.class);
    private static final int TAIL_ENTRIES = 16_384;
    private static final long TAIL_BYTES = 32L << 20;

    private final Path dir;
    private final String clusterId;
    private final long nodeId;
    private final RocksResources rocks;
    private final RocksDB db;
    private final ColumnFamilyHandle raftLog;
    private final ColumnFamilyHandle raftState;
    private final WriteOptions syncWrite = new WriteOptions().setSync(true);
    private final WriteOptions asyncWrite = new WriteOptions().setSync(false);

    /** Serializes changes to the log and Raft records: persist, compact, snapshots, close. */
    private final ReentrantLock logLock = new ReentrantLock();
    /** Recently persisted entries, served without RocksDB; written under logLock. */
    private final LogTail tail = new LogTail(TAIL_ENTRIES, TAIL_BYTES);
    /** Serializes changes to the state machine: applyBatch, installSnapshot, close. */
    private final ReentrantLock applyLock = new ReentrantLock();
    /**
     * Readers of RocksDB hold it shared; swapping the state column family and closing hold it
     * exclusively, so no native handle is used after it is freed. Lock order: logLock, then
     * applyLock, then this.
     */
    private final ReentrantReadWriteLock dbLock = new ReentrantReadWriteLock();

    private volatile LogView logView;
    private volatile HardState hardState;
    private volatile SnapshotMeta snapshot;
    private volatile Records.Applied applied;
    private volatile ColumnFamilyHandle stateCf;
    private String stateCfName;
    private volatile boolean closed;
    private volatile StoreMetrics metrics = StoreMetrics.NONE;

    /** Test hook: called at named points of an install ("copied-batch", "switched"). */
    volatile Consumer<String> installProbe = phase -> { };
    /** How many bytes of state an install copies per WriteBatch; small in tests. */
    volatile int installBatchBytes = 4 << 20;

    private NodeStore(Path dir, String clusterId, long nodeId, RocksResources rocks, StoreRecovery.Recovered r) {
        this.dir = dir;
        this.clusterId = clusterId;
        this.nodeId = nodeId;
        this.rocks = rocks;
        this.db = rocks.db;
        this.raftLog = rocks.cf(StoreLayout.CF_RAFT_LOG);
        this.raftState = rocks.cf(StoreLayout.CF_RAFT_STATE);
        this.logView = r.log();
        this.hardState = r.hardState();
        this.snapshot = r.snapshot();
        this.applied = r.applied();
        this.stateCfName = r.stateCf();
        this.stateCf = rocks.cf(r.stateCf());
    }

    /**
     * Opens the store of node {@code nodeId} in cluster {@code clusterId} under {@code dir},
     * creating it (with membership {@code initialConf}) if the directory holds none. An
     * existing store keeps its own membership; {@code initialConf} is then ignored.
     *
     * @throws StorageException if the store belongs to another cluster or node, has an unknown
     *         format, or fails verification; the message names the path and what differs
     */
    public static NodeStore open(Path dir, String clusterId, long nodeId, ConfState initialConf) {
        return open(dir, clusterId, nodeId, initialConf, null);
    }

    /** As {@link #open(Path, String, long, ConfState)}, letting tests and benchmarks tune RocksDB. */
    static NodeStore open(Path dir, String clusterId, long nodeId, ConfState initialConf,
                          Consumer<DBOptions> tuning) {
        Objects.requireNonNull(clusterId, "clusterId");
        Objects.requireNonNull(initialConf, "initialConf");
        Path abs = dir.toAbsolutePath();
        try {
            Files.createDirectories(abs);
        } catch (IOException e) {
            throw new StorageException("cannot create data directory " + abs + ": " + e.getMessage(), e);
        }
        List<String> names;
        if (RocksResources.exists(abs)) {
            names = RocksResources.listColumnFamilies(abs);
            for (String required : List.of(StoreLayout.CF_META, StoreLayout.CF_RAFT_LOG, StoreLayout.CF_RAFT_STATE)) {
                if (!names.contains(required)) {
                    throw new StorageException("RocksDB at " + abs + " is not a Kvorum store: no column family '"
                            + required + "' (found " + names + ")");
                }
            }
        } else {
            names = List.of(StoreLayout.CF_DEFAULT, StoreLayout.CF_META, StoreLayout.CF_RAFT_LOG,
                    StoreLayout.CF_RAFT_STATE, StoreLayout.CF_STATE);
        }
        RocksResources rocks = RocksResources.open(abs, names, tuning);
        try {
            StoreRecovery.Recovered r = StoreRecovery.recover(rocks, clusterId, nodeId, initialConf);
            return new NodeStore(abs, clusterId, nodeId, rocks, r);
        } catch (RuntimeException e) {
            rocks.close();
            throw e;
        }
    }

    // ---------------------------------------------------------------- RaftStorage

    @Override
    public InitialState initialState() {
        return new InitialState(hardState, applied.conf());
    }

    @Override
    public List<Entry> entries(long lo, long hi, long maxBytes) {
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
                return cached;
            }
            try {
                return readEntries(v, lo, hi, maxBytes);
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
        dbLock.readLock().lock();
        try (RocksIterator it = newIterator(raftLog)) {
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
            dbLock.readLock().unlock();
        }
    }

    /** The stored log does not match the view a read started from (see {@link #entries}). */
    private static final class LogDisagrees extends Exception {
        LogDisagrees(String message) {
            super(message, null, false, false);
        }
    }

    @Override
    public long term(long index) {
        LogView v = logView;
        if (index < v.anchorIndex) {
            throw new CompactedException(index, v.firstIndex());
        }
        if (index > v.lastIndex) {
            throw new IllegalArgumentException("index " + index + " beyond last index " + v.lastIndex);
        }
        return v.term(index);
    }

    @Override
    public long firstIndex() {
        return logView.firstIndex();
    }

    @Override
    public long lastIndex() {
        return logView.lastIndex;
    }

    /**
     * The latest snapshot: the one last created here or installed from the leader. Its index
     * is at least {@code firstIndex() - 1}; it is larger between {@link #createSnapshot} and
     * {@link #compact}, or when the node keeps a tail of entries behind the snapshot.
     */
    @Override
    public SnapshotMeta snapshot() {
        return snapshot;
    }

    /** The hard state as last persisted. */
    public HardState hardState() {
        return hardState;
    }

    // ---------------------------------------------------------------- persisting Readys

    /**
     * Makes {@code rd}'s snapshot metadata, entries and hard state durable in one WriteBatch,
     * synced when {@link Ready#mustSync()}: one fsync for the whole Ready (group commit).
     *
     * <p>A snapshot, if present, replaces the whole log (DeleteRange) and becomes the anchor;
     * its data must already be in place through {@link #installSnapshot}, which this checks.
     * Entries replace any stored entries from the first new index on (the conflicting suffix a
     * new leader overrules); entries at or below the anchor are already covered by the
     * snapshot and skipped.
     *
     * @throws IllegalArgumentException if the entries leave a gap, go back in term, or the
     *         commit index would point past the log: a bug in the caller, refused before
     *         anything is written
     * @throws IllegalStateException    if the snapshot's data was not installed first
     */
    public void persist(Ready rd) {
        logLock.lock();
        try {
            ensureOpen();
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
                    if (applied.index() != s.index()) {
                        throw new IllegalStateException("persisting snapshot at index " + s.index()
                                + " whose data is not installed (applied index is " + applied.index()
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
                    db.write(rd.mustSync() ? syncWrite : asyncWrite, batch);
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

    // ---------------------------------------------------------------- applying

    /**
     * Applies one batch of state changes and records that the log is applied up to
     * {@code appliedIndex}, with membership {@code confAtApplied}, in one WriteBatch: after a
     * crash either both are there or neither is. {@code changes} fills the batch; if it
     * throws, nothing is written.
     *
     * <p>Not synced: the entries are durable in the log, so a batch lost in a crash is applied
     * again on replay from the applied index that was actually stored.
     *
     * @throws IllegalStateException if {@code appliedIndex} is not beyond the applied index
     *         (that would apply entries twice) or not in the log (not yet persisted)
     */
    public void applyBatch(long appliedIndex, ConfState confAtApplied, Consumer<StateBatch> changes) {
        Objects.requireNonNull(confAtApplied, "confAtApplied");
        applyLock.lock();
        try {
            ensureOpen();
            long current = applied.index();
            if (appliedIndex <= current) {
                throw new IllegalStateException("index " + appliedIndex + " is already applied (applied index is "
                        + current + ")");
            }
            if (appliedIndex > logView.lastIndex) {
                throw new IllegalStateException("applying index " + appliedIndex + " beyond the persisted log (last "
                        + "index " + logView.lastIndex + "): entries must be persisted before they are applied");
            }
            try (WriteBatch batch = new WriteBatch()) {
                StateBatch sb = new StateBatch(batch, stateCf);
                try {
                    changes.accept(sb);
                } finally {
                    sb.seal();
                }
                batch.put(raftState, StoreLayout.APPLIED, Records.encodeApplied(appliedIndex, confAtApplied));
                long started = System.nanoTime();
                db.write(asyncWrite, batch);
                metrics.applyBatch(System.nanoTime() - started);
            } catch (RocksDBException e) {
                throw new StorageException("applying up to index " + appliedIndex + " in " + dir + " failed: "
                        + e.getMessage(), e);
            }
            applied = new Records.Applied(appliedIndex, confAtApplied);
        } finally {
            applyLock.unlock();
        }
    }

    /** Index of the last entry whose effects are in the state. */
    public long appliedIndex() {
        return applied.index();
    }

    /** The membership in force at {@link #appliedIndex()}. */
    public ConfState appliedConfState() {
        return applied.conf();
    }

    /** The state machine's value at {@code key}, or null. */
    @Override
    public byte[] get(byte[] key) {
        Objects.requireNonNull(key, "key");
        dbLock.readLock().lock();
        try {
            ensureOpen();
            return db.get(stateCf, key);
        } catch (RocksDBException e) {
            throw new StorageException("reading state in " + dir + " failed: " + e.getMessage(), e);
        } finally {
            dbLock.readLock().unlock();
        }
    }

    /**
     * Visits state entries with {@code from <= key < to} in unsigned byte order, at most
     * {@code limit} of them, from one consistent point in time.
     *
     * @param from first key, inclusive; null for the start
     * @param to   end key, exclusive; null for no end
     * @return how many entries were visited
     */
    @Override
    public int forEachInRange(byte[] from, byte[] to, int limit, BiConsumer<byte[], byte[]> visitor) {
        Objects.requireNonNull(visitor, "visitor");
        if (limit <= 0) {
            return 0;
        }
        dbLock.readLock().lock();
        try (ReadOptions ro = new ReadOptions(); Slice upper = to == null ? null : new Slice(to)) {
            ensureOpen();
            if (upper != null) {
                ro.setIterateUpperBound(upper);
            }
            int n = 0;
            try (RocksIterator it = db.newIterator(stateCf, ro)) {
                if (from == null) {
                    it.seekToFirst();
                } else {
                    it.seek(from);
                }
                for (; it.isValid() && n < limit; it.next()) {
                    visitor.accept(it.key(), it.value());
                    n++;
                }
                it.status();
            }
            return n;
        } catch (RocksDBException e) {
            throw new StorageException("iterating state in " + dir + " failed: " + e.getMessage(), e);
        } finally {
            dbLock.readLock().unlock();
        }
    }

    // ---------------------------------------------------------------- snapshots and compaction

    /**
     * Writes a RocksDB checkpoint of this store to {@code checkpointDir} (which must not exist;
     * it is best on the same filesystem, where SST files are hard-linked rather than copied)
     * and records it as the latest snapshot.
     *
     * <p>The checkpoint is the whole database at one instant: the state column family (what a
     * follower installs) and, in {@code raft_state}, the applied index and membership that
     * describe it exactly, since they were written in the same batches; also this node's
     * meta, log and hard state, which {@link #installSnapshot} uses only to check that the
     * checkpoint matches the snapshot metadata and ignores otherwise. The returned metadata
     * is read back from the checkpoint itself, so it is right even if entries were applied
     * while the checkpoint was being made.
     *
     * <p>The caller owns the directory: keep it while it is the latest snapshot (to send to
     * followers), delete it after.
     */
    public SnapshotMeta createSnapshot(Path checkpointDir) {
        return createSnapshot(checkpointDir, index -> checkpointDir);
    }

    /**
     * Like {@link #createSnapshot(Path)}, for a checkpoint made while entries are applied: it is
     * written to {@code stagingDir}, then moved to {@code placeAt(index)}, the index it turned
     * out to hold, before it is recorded as the snapshot (so a recorded snapshot is always
     * where its index says).
     */
    public SnapshotMeta createSnapshot(Path stagingDir, LongFunction<Path> placeAt) {
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
        logLock.lock();
        try {
            ensureOpen();
            LogView v = logView;
            if (!v.covers(at.index())) {
                throw new IllegalStateException("checkpoint at applied index " + at.index()
                        + " was superseded while it was made (log is now (" + v.anchorIndex + ", " + v.lastIndex + "])");
            }
            SnapshotMeta meta = new SnapshotMeta(at.index(), v.term(at.index()), at.conf());
            if (meta.index() > snapshot.index()) {
                db.put(raftState, syncWrite, StoreLayout.SNAPSHOT, Records.encodeSnapshot(meta));
                snapshot = meta;
            }
            log.info("store at {}: snapshot at index {} term {} in {}", dir, meta.index(), meta.term(), target);
            return meta;
        } catch (RocksDBException e) {
            throw new StorageException("recording snapshot in " + dir + " failed: " + e.getMessage(), e);
        } finally {
            logLock.unlock();
        }
    }

    /**
     * Writes a RocksDB checkpoint of this store to {@code checkpointDir} (which must not exist)
     * without recording it as a snapshot: for backups, read with {@link CheckpointExport}.
     */
    public void checkpoint(Path checkpointDir) {
        Path target = checkpointDir.toAbsolutePath();
        if (Files.exists(target)) {
            throw new IllegalArgumentException("checkpoint directory " + target + " already exists");
        }
        dbLock.readLock().lock();
        try (Checkpoint cp = Checkpoint.create(db)) {
            ensureOpen();
            cp.createCheckpoint(target.toString());
        } catch (RocksDBException e) {
            throw new StorageException("creating checkpoint " + target + " of " + dir + " failed: "
                    + e.getMessage(), e);
        } finally {
            dbLock.readLock().unlock();
        }
    }

    /**
     * About how many bytes the state machine's data takes (its column family's files and
     * memtables, RocksDB's estimate): what the space quota measures. Deleted data counts until
     * compaction drops it.
     */
    public long stateSizeBytes() {
        dbLock.readLock().lock();
        try (Slice from = new Slice(new byte[0]); Slice to = new Slice(new byte[] {(byte) 0xFF})) {
            ensureOpen();
            long[] sizes = db.getApproximateSizes(stateCf, List.of(new org.rocksdb.Range(from, to)),
                    org.rocksdb.SizeApproximationFlag.INCLUDE_MEMTABLES, org.rocksdb.SizeApproximationFlag.INCLUDE_FILES);
            return sizes[0];
        } finally {
            dbLock.readLock().unlock();
        }
    }

    /**
     * Compacts every column family's files now (RocksDB's manual compaction), so that space
     * held by deleted and overwritten keys goes back to the filesystem. Safe while the node
     * runs: RocksDB compacts in the background of reads and writes.
     */
    public void compactFiles() {
        dbLock.readLock().lock();
        try {
            ensureOpen();
            for (String name : rocks.columnFamilies()) {
                db.compactRange(rocks.cf(name));
            }
        } catch (RocksDBException e) {
            throw new StorageException("compacting the files of " + dir + " failed: " + e.getMessage(), e);
        } finally {
            dbLock.readLock().unlock();
        }
    }

    /**
     * Drops the log up to and including {@code index}, which becomes the anchor: afterwards
     * {@code firstIndex() == index + 1} and {@code term(index)} still answers (from the stored
     * anchor), as etcd's {@code Compact} does. Compacting at or below the anchor does nothing.
     *
     * @throws IllegalArgumentException if {@code index} is past the latest snapshot: entries a
     *         lagging follower needs must stay in the log until a snapshot covers them
     */
    public void compact(long index) {
        logLock.lock();
        try {
            ensureOpen();
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
                db.write(asyncWrite, batch);
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
     * Replaces the state machine's data with the checkpoint in {@code checkpointDir} (made by
     * {@link #createSnapshot} on the leader) and moves the whole store to snapshot
     * {@code meta}: applied index and membership from the snapshot, log cleared with
     * {@code meta} as its anchor, commit raised to {@code meta.index()} if lower. Call it
     * before {@link #persist} of the Ready that carries {@code meta}.
     *
     * <p>How: the checkpoint is opened read-only and checked (same cluster, applied index,
     * membership and term as {@code meta}); its state column family is copied in batches into
     * a new, empty state generation ({@code state.<n+1>}) that nothing reads yet; then one
     * synced WriteBatch switches {@code state_cf} to it and writes the applied index, snapshot
     * meta, anchor, cleared log and commit; then the old generation is dropped.
     *
     * <p>Crash safety: RocksDB recovers a prefix of the writes, in order. A crash before the
     * switching write leaves {@code state_cf} naming the old generation with the old log and
     * applied index; the half-filled new one is dropped at the next open. A crash after it
     * leaves the new state complete (the WAL sync of the switching write covers every copy
     * batch written before it) and the old generation is dropped at the next open. Copying
     * rather than ingesting SST files keeps this argument that simple: the checkpoint's SST
     * files are not ingestible as they are, and ingestion would not replace the old keys or
     * move the applied index in the same atomic step.
     *
     * @throws IllegalArgumentException if {@code meta} is not beyond the applied index
     * @throws StorageException         if the checkpoint does not match {@code meta} or the copy fails;
     *                                  the store then still holds its old state
     */
    public void installSnapshot(SnapshotMeta meta, Path checkpointDir) {
        Objects.requireNonNull(meta, "meta");
        logLock.lock();
        applyLock.lock();
        try {
            ensureOpen();
            if (meta.index() <= applied.index()) {
                throw new IllegalArgumentException("snapshot at index " + meta.index()
                        + " is not beyond the applied index " + applied.index());
            }
            String newName = StoreLayout.stateCfName(StoreLayout.stateGeneration(stateCfName) + 1);
            ColumnFamilyHandle newCf;
            HardState hs = hardState;
            try (CheckpointReader source = CheckpointReader.open(checkpointDir.toAbsolutePath())) {
                source.verify(clusterId, meta);
                newCf = rocks.createStateCf(newName);
                try {
                    long copied = copyState(source, newCf);
                    if (hs.commit() < meta.index()) {
                        // The snapshot is committed by definition; a commit below it would make
                        // a restarted core refuse a log whose anchor is past its commit.
                        hs = new HardState(hs.term(), hs.vote(), meta.index());
                    }
                    try (WriteBatch sw = new WriteBatch()) {
                        sw.put(raftState, StoreLayout.STATE_CF, Records.encodeString(StoreLayout.STATE_CF, newName));
                        sw.put(raftState, StoreLayout.APPLIED, Records.encodeApplied(meta.index(), meta.conf()));
                        sw.put(raftState, StoreLayout.SNAPSHOT, Records.encodeSnapshot(meta));
                        sw.put(raftState, StoreLayout.LOG_ANCHOR, Records.encodeAnchor(meta.index(), meta.term()));
                        sw.put(raftState, StoreLayout.HARD_STATE, Records.encodeHardState(hs));
                        sw.deleteRange(raftLog, StoreLayout.LOG_BEGIN, StoreLayout.LOG_END);
                        db.write(syncWrite, sw);
                    }
                    log.info("store at {}: installed snapshot at index {} term {} ({} state keys) into '{}'",
                            dir, meta.index(), meta.term(), copied, newName);
                } catch (RocksDBException | RuntimeException e) {
                    // Nothing points at the new generation yet: dropping it restores the old store.
                    // (An Error, such as a simulated crash, skips this; the next open drops it.)
                    dropQuietly(newName);
                    throw e;
                }
            } catch (RocksDBException e) {
                throw new StorageException("installing snapshot " + meta.index() + " from " + checkpointDir
                        + " into " + dir + " failed: " + e.getMessage(), e);
            }
            installProbe.accept("switched");
            String oldName = stateCfName;
            dbLock.writeLock().lock();
            try {
                stateCf = newCf;
                stateCfName = newName;
                applied = new Records.Applied(meta.index(), meta.conf());
                snapshot = meta;
                hardState = hs;
                tail.reset(meta.index());
                logView = LogView.empty(meta.index(), meta.term());
            } finally {
                dbLock.writeLock().unlock();
            }
            dropQuietly(oldName);
        } finally {
            applyLock.unlock();
            logLock.unlock();
        }
    }

    /** Copies the checkpoint's state into {@code target} in unsynced batches; returns the key count. */
    private long copyState(CheckpointReader source, ColumnFamilyHandle target) throws RocksDBException {
        long keys = 0;
        try (RocksIterator it = source.stateIterator(); WriteBatch batch = new WriteBatch()) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                batch.put(target, it.key(), it.value());
                keys++;
                if (batch.getDataSize() >= installBatchBytes) {
                    db.write(asyncWrite, batch);
                    batch.clear();
                    installProbe.accept("copied-batch");
                }
            }
            it.status();
            if (batch.count() > 0) {
                db.write(asyncWrite, batch);
                installProbe.accept("copied-batch");
            }
        }
        return keys;
    }

    private void dropQuietly(String cfName) {
        try {
            rocks.drop(cfName);
        } catch (RocksDBException | RuntimeException e) {
            log.warn("store at {}: could not drop column family '{}' ({}); it is dropped at the next open",
                    dir, cfName, e.toString());
        }
    }

    // ---------------------------------------------------------------- metrics

    /** Where to report write times from now on. */
    public void metrics(StoreMetrics m) {
        metrics = Objects.requireNonNull(m, "metrics");
    }

    /** RocksDB's figures for this store; {@link StoreStats#EMPTY} once closed. */
    public StoreStats stats() {
        dbLock.readLock().lock();
        try {
            if (closed) {
                return StoreStats.EMPTY;
            }
            LogView view = logView;
            return StoreStats.read(db, raftLog, rocks.handles(), view.lastIndex - view.firstIndex() + 1);
        } finally {
            dbLock.readLock().unlock();
        }
    }

    // ---------------------------------------------------------------- lifecycle

    public Path path() {
        return dir;
    }

    public String clusterId() {
        return clusterId;
    }

    public long nodeId() {
        return nodeId;
    }

    private RocksIterator newIterator(ColumnFamilyHandle cf) {
        ensureOpen();
        return db.newIterator(cf);
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("store at " + dir + " is closed");
        }
    }

    /** Closes the database; unsynced applied state is flushed by RocksDB on the way. */
    @Override
    public void close() {
        logLock.lock();
        applyLock.lock();
        dbLock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            syncWrite.close();
            asyncWrite.close();
            rocks.close();
        } finally {
            dbLock.writeLock().unlock();
            applyLock.unlock();
            logLock.unlock();
        }
    }
}
