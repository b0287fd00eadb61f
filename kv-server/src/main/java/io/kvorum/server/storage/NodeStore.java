package io.kvorum.server.storage;

import io.kvorum.server.raft.ConfState;
import io.kvorum.server.raft.Entry;
import io.kvorum.server.raft.HardState;
import io.kvorum.server.raft.InitialState;
import io.kvorum.server.raft.RaftStorage;
import io.kvorum.server.raft.Ready;
import io.kvorum.server.raft.SnapshotMeta;

import org.rocksdb.DBOptions;
import org.rocksdb.RocksDBException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

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
 *   <li>Now and then, {@link #recordStateAsSnapshot} and {@link #compact} the log up to at most
 *       its index; {@link #createSnapshot} into a fresh directory only when a follower that
 *       fell behind the compacted log needs the data.</li>
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
 * <h2>Its parts</h2>
 * This class is the package's public surface and wires the parts, each with one job:
 * {@link LogStore} (log, hard state, snapshot meta), {@link StateStore} (the state machine's
 * data and applied index), {@link Checkpoints} (making snapshots and backup checkpoints),
 * {@link SnapshotInstaller} (installing a leader's snapshot), over the shared {@link StoreDb}.
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
    private final String clusterId;
    private final long nodeId;
    private final StoreDb db;
    private final LogStore log;
    private final StateStore state;
    private final Checkpoints checkpoints;
    private final SnapshotInstaller installer;

    private NodeStore(Path dir, String clusterId, long nodeId, RocksResources rocks, StoreRecovery.Recovered r) {
        this.clusterId = clusterId;
        this.nodeId = nodeId;
        this.db = new StoreDb(dir, rocks);
        this.log = new LogStore(db, r.log(), r.hardState(), r.snapshot(), this::appliedIndex);
        this.state = new StateStore(db, log, r.applied(), r.stateCf());
        this.checkpoints = new Checkpoints(db, log, state);
        this.installer = new SnapshotInstaller(db, clusterId, log, state);
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
        return new InitialState(log.hardState(), state.appliedConfState());
    }

    @Override
    public List<Entry> entries(long lo, long hi, long maxBytes) {
        return log.entries(lo, hi, maxBytes);
    }

    @Override
    public long term(long index) {
        return log.term(index);
    }

    @Override
    public long firstIndex() {
        return log.firstIndex();
    }

    @Override
    public long lastIndex() {
        return log.lastIndex();
    }

    /**
     * The latest snapshot: the one last created here or installed from the leader. Its index
     * is at least {@code firstIndex() - 1}; it is larger between {@link #createSnapshot} and
     * {@link #compact}, or when the node keeps a tail of entries behind the snapshot.
     */
    @Override
    public SnapshotMeta snapshot() {
        return log.snapshot();
    }

    /** The hard state as last persisted. */
    public HardState hardState() {
        return log.hardState();
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
        log.persist(rd);
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
        state.applyBatch(appliedIndex, confAtApplied, changes);
    }

    /** Index of the last entry whose effects are in the state. */
    public long appliedIndex() {
        return state.appliedIndex();
    }

    /** The membership in force at {@link #appliedIndex()}. */
    public ConfState appliedConfState() {
        return state.appliedConfState();
    }

    /** The state machine's value at {@code key}, or null. */
    @Override
    public byte[] get(byte[] key) {
        return state.get(key);
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
        return state.forEachInRange(from, to, limit, visitor);
    }

    // ---------------------------------------------------------------- snapshots and compaction

    /**
     * Records the state as it stands as the latest snapshot, without copying anything: its
     * applied index, the term of the entry there and the membership in force. The state column
     * family is the snapshot's data; a follower that needs it gets a checkpoint made then
     * ({@link #createSnapshot}), at an index at or past this one. This is what lets the log be
     * compacted behind the applied index at the cost of one small write, where a
     * checkpoint would flush every memtable and make a directory of files each time.
     *
     * <p>Safe after any crash: the state batches up to the applied index were written before
     * this record, into the same write-ahead log, which RocksDB recovers as a prefix; so
     * wherever the record survives, the state it describes does too. The record is not synced:
     * the next synced write makes it durable, and a compaction it allows comes after it.
     *
     * @throws IllegalStateException if the log no longer holds the applied index's entry (a
     *         snapshot from the leader was installed meanwhile)
     */
    public SnapshotMeta recordStateAsSnapshot() {
        try {
            return log.recordSnapshot(state.applied());
        } catch (RocksDBException e) {
            throw new StorageException("recording the snapshot of " + db.dir + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Writes a RocksDB checkpoint of this store to {@code checkpointDir} (which must not exist;
     * it is best on the same filesystem, where SST files are hard-linked rather than copied)
     * and records it as the latest snapshot if it is newer than the one recorded: the data a
     * follower that fell behind the compacted log is sent.
     *
     * <p>The checkpoint is the whole database at one instant: the state column family (what a
     * follower installs) and, in {@code raft_state}, the applied index and membership that
     * describe it exactly, since they were written in the same batches; also this node's
     * meta, log and hard state, which {@link #installSnapshot} uses only to check that the
     * checkpoint matches the snapshot metadata and ignores otherwise. The returned metadata
     * is read back from the checkpoint itself, so it is right even if entries were applied
     * while the checkpoint was being made.
     *
     * <p>The caller owns the directory and deletes it once it is sent.
     */
    public SnapshotMeta createSnapshot(Path checkpointDir) {
        return checkpoints.createSnapshot(checkpointDir);
    }

    /**
     * Writes a RocksDB checkpoint of this store to {@code checkpointDir} (which must not exist)
     * without recording it as a snapshot: for backups, read with {@link CheckpointExport}.
     */
    public void checkpoint(Path checkpointDir) {
        checkpoints.checkpoint(checkpointDir);
    }

    /**
     * If the last checkpoint left the write-ahead log on a fresh file (one taken under load
     * does) and no checkpoint has come for {@code quiet}, switches the WAL twice, flushing the
     * memtables, so that it goes back onto that file, now a recycled one, whose synced writes
     * within its size cost one device round trip less (see {@link Checkpoints}). Meant for the
     * thread that takes snapshots, a while after each.
     *
     * @return whether it flushed
     */
    public boolean reuseRecycledWalFileIfQuiet(Duration quiet) {
        return checkpoints.reuseRecycledWalFileIfQuiet(quiet.toNanos());
    }

    /**
     * Replaces the clock (nanoseconds, monotonic) by which checkpoints tell whether the node is
     * loaded (see {@link Checkpoints}); for tests, which take checkpoints closer together than
     * a lightly loaded node would.
     */
    void useCheckpointClock(LongSupplier nanos) {
        checkpoints.useClock(nanos);
    }

    /**
     * About how many bytes the state machine's data takes (its column family's files and
     * memtables, RocksDB's estimate): what the space quota measures. Deleted data counts until
     * compaction drops it.
     */
    public long stateSizeBytes() {
        return state.sizeBytes();
    }

    /**
     * Compacts every column family's files now (RocksDB's manual compaction), so that space
     * held by deleted and overwritten keys goes back to the filesystem. Safe while the node
     * runs: RocksDB compacts in the background of reads and writes.
     */
    public void compactFiles() {
        db.compactFiles();
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
        log.compact(index);
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
        installer.install(meta, checkpointDir);
    }

    /** The installer, for tests that interrupt an install at its named points. */
    SnapshotInstaller installer() {
        return installer;
    }

    // ---------------------------------------------------------------- metrics

    /** Where to report write times from now on. */
    public void metrics(StoreMetrics m) {
        Objects.requireNonNull(m, "metrics");
        log.metrics(m);
        state.metrics(m);
    }

    /** RocksDB's figures for this store; {@link StoreStats#EMPTY} once closed. */
    public StoreStats stats() {
        return db.stats(log.entryCount());
    }

    // ---------------------------------------------------------------- lifecycle

    public Path path() {
        return db.dir;
    }

    public String clusterId() {
        return clusterId;
    }

    public long nodeId() {
        return nodeId;
    }

    /** Closes the database; unsynced applied state is flushed by RocksDB on the way. */
    @Override
    public void close() {
        log.lock();
        state.lock();
        try {
            db.close();
        } finally {
            state.unlock();
            log.unlock();
        }
    }
}
