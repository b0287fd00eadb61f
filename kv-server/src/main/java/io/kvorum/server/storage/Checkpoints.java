package io.kvorum.server.storage;

import io.kvorum.server.raft.SnapshotMeta;

import org.rocksdb.Checkpoint;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.FlushOptions;
import org.rocksdb.RocksDBException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Makes RocksDB checkpoints of a {@link NodeStore}: snapshots made to send followers that fell
 * behind the compacted log (recorded in the log as the latest snapshot when newer), and plain
 * checkpoints for backups. A node's own periodic snapshots are not checkpoints
 * ({@link NodeStore#recordStateAsSnapshot}), so these are rare. A
 * checkpoint is taken under the shared database guard, so the node goes on persisting and
 * applying while it is made, except for the few milliseconds described next.
 *
 * <p><b>Keeping the write-ahead log on recycled files.</b> A synced write into a recycled WAL
 * file (one RocksDB reuses instead of deleting) within the size the file already has makes
 * {@code fdatasync} write the data only; one that grows a file also writes the file's new size,
 * a second device round trip on every synced write (measured with the block layer's trace
 * events: about 200 µs more per synced write in place on the development machine). Two
 * RocksDB behaviours decide which file the WAL is on:
 * <ul>
 * <li>A WAL switch (a flush of a non-empty memtable) reuses the recycled file only while file
 *     deletions are on; RocksDB's checkpoint flushes with them off, so the WAL it leaves is a
 *     fresh file, which every synced write grows.</li>
 * <li>A file that is closed is cut to the bytes written into it since it was last started, so
 *     a recycled file is only as large as its last use: one in use for a moment is as bad as a
 *     fresh one.</li>
 * </ul>
 * So the store keeps one recycled file ({@link RocksResources}), and on a lightly loaded node
 * ({@link #LIGHT_LOAD_CHECKPOINT_GAP_NANOS}) a checkpoint switches the WAL twice before
 * RocksDB's: a flush retires the live file into the recycled slot and moves the WAL onto the
 * file that was there; then, with the log's and the state's writers held back, a second
 * switch moves it back onto the file just retired (a deletion of {@link StoreLayout#WAL_SWITCH}
 * gives that flush something to switch for). The checkpoint's own flush then finds every
 * memtable empty and switches nothing, and the node goes on writing into the file it wrote
 * before, as large as everything written since the last checkpoint; the file in the slot is the
 * one used for a moment. The writers are held only when the second flush is small
 * ({@link #PAUSED_FLUSH_LIMIT_ENTRIES}), where each synced write carries one request and its
 * device round trip is the client's to wait for; otherwise the checkpoint is taken plainly (its
 * switch starts a fresh file), and once no checkpoint has come for a while
 * ({@link #reuseRecycledWalFileIfQuiet}) two switches retire that fresh file into the recycled
 * slot and take it back, so that the node goes on writing over it as a recycled file. Every
 * other WAL switch is a memtable filling up, with file deletions on, which reuses the recycled
 * file and retires one as large as the memtables' worth of writes.
 */
final class Checkpoints {
    private static final Logger log = LoggerFactory.getLogger(Checkpoints.class);

    /**
     * The most entries the memtables may hold for a checkpoint to flush them with the writers
     * held back: a few hundred kilobytes (a client's write is about five entries across the
     * families), a flush of a few milliseconds, the longest a persist or an apply then waits.
     * When more came in while the first flush ran, the checkpoint holds no one back and is
     * taken plainly; the quiet-time flush then moves the WAL.
     */
    static final long PAUSED_FLUSH_LIMIT_ENTRIES = 1_000;

    /**
     * Checkpoints closer together than this mean a loaded node, whose synced writes each carry
     * many requests: there the extra flush would cost more than the recycled WAL file saves,
     * and the checkpoint is taken plainly.
     */
    static final long LIGHT_LOAD_CHECKPOINT_GAP_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final StoreDb store;
    private final LogStore raftLog;
    private final StateStore state;
    /** Nanoseconds, monotonic: tells how far apart checkpoints are. */
    private volatile LongSupplier clock = System::nanoTime;
    /** When the last checkpoint began, by {@link #clock}, once {@link #checkpointed}; the first counts as light load. */
    private volatile long lastCheckpointNanos;
    private volatile boolean checkpointed;
    /** Whether the WAL file in use was started by a checkpoint's own flush: a fresh file. */
    private volatile boolean walOnFreshFile;

    Checkpoints(StoreDb store, LogStore raftLog, StateStore state) {
        this.store = store;
        this.raftLog = raftLog;
        this.state = state;
    }

    /** See {@link NodeStore#createSnapshot}. */
    SnapshotMeta createSnapshot(Path checkpointDir) {
        Path target = checkpointDir.toAbsolutePath();
        checkpoint(target);
        Records.Applied at;
        try (CheckpointReader r = CheckpointReader.open(target)) {
            at = r.applied();
        }
        try {
            SnapshotMeta meta = raftLog.recordSnapshot(at);
            log.info("store at {}: checkpoint at index {} term {} in {}", store.dir, meta.index(), meta.term(), target);
            return meta;
        } catch (RocksDBException e) {
            throw new StorageException("recording snapshot in " + store.dir + " failed: " + e.getMessage(), e);
        }
    }

    /** See {@link NodeStore#useCheckpointClock}. */
    void useClock(LongSupplier nanos) {
        this.clock = nanos;
    }

    /** See {@link NodeStore#checkpoint}. */
    void checkpoint(Path checkpointDir) {
        Path target = checkpointDir.toAbsolutePath();
        if (Files.exists(target)) {
            throw new IllegalArgumentException("checkpoint directory " + target + " already exists");
        }
        long now = clock.getAsLong();
        boolean lightLoad = !checkpointed || now - lastCheckpointNanos >= LIGHT_LOAD_CHECKPOINT_GAP_NANOS;
        lastCheckpointNanos = now;
        checkpointed = true;
        if (lightLoad && emptyMemtablesWithWritersHeld()) {
            try {
                takeCheckpoint(target);
                walOnFreshFile = false;
            } finally {
                state.unlock();
                raftLog.unlock();
            }
        } else {
            takeCheckpoint(target);
            walOnFreshFile = true;
        }
    }

    /** See {@link NodeStore#reuseRecycledWalFileIfQuiet}. */
    boolean reuseRecycledWalFileIfQuiet(long quietNanos) {
        if (!walOnFreshFile || clock.getAsLong() - lastCheckpointNanos < quietNanos) {
            return false;
        }
        // The first switch retires the fresh file into the recycled slot, the second takes it back.
        switchWal();
        switchWal();
        walOnFreshFile = false;
        return true;
    }

    /**
     * Switches the WAL to the recycled file and, with the log's and the state's writers held
     * back, back onto the file that was live, flushing every memtable on the way, so that the
     * checkpoint's own flush finds nothing to switch.
     *
     * @return true holding both writers' locks; false holding neither, when too much was
     *         written meanwhile to flush while writers wait
     */
    private boolean emptyMemtablesWithWritersHeld() {
        Object walBefore = liveWalFile();
        flushMemtables();
        // Lock order across the store: the log's lock, then the state's, then the guard.
        raftLog.lock();
        state.lock();
        boolean held = false;
        try {
            long entries = memtableEntries();
            if (entries <= PAUSED_FLUSH_LIMIT_ENTRIES) {
                if (entries > 0) {
                    flushMemtables();
                }
                // A switch trades the live file for the one in the recycled slot, so when the WAL
                // is not on the file it was on, one more brings it back there.
                if (!Objects.equals(liveWalFile(), walBefore)) {
                    switchWal();
                }
                held = true;
            }
            return held;
        } finally {
            if (!held) {
                state.unlock();
                raftLog.unlock();
            }
        }
    }

    /** Moves the WAL onto the recycled file (if file deletions are on), flushing every memtable. */
    private void switchWal() {
        store.underGuard("marking the memtables of " + store.dir + " for a WAL switch", () -> {
            store.db.delete(store.rocks.cf(StoreLayout.CF_META), StoreLayout.WAL_SWITCH);
            return null;
        });
        flushMemtables();
    }

    /**
     * What identifies the WAL file RocksDB writes to whatever its name (its inode on Linux): the
     * newest-numbered file in the directory, a recycled file being renamed to a new number when
     * reused. Not RocksDB's own list of WAL files, which leaves out a file nothing has been
     * written to yet.
     */
    private Object liveWalFile() {
        try (DirectoryStream<Path> wals = Files.newDirectoryStream(store.dir, "*.log")) {
            Path newest = null;
            long newestNumber = -1;
            for (Path f : wals) {
                String name = f.getFileName().toString();
                long number = Long.parseLong(name.substring(0, name.length() - ".log".length()));
                if (number > newestNumber) {
                    newest = f;
                    newestNumber = number;
                }
            }
            return newest == null ? null : Files.readAttributes(newest, BasicFileAttributes.class).fileKey();
        } catch (IOException | NumberFormatException e) {
            throw new StorageException("listing the WAL files of " + store.dir + " failed: " + e.getMessage(), e);
        }
    }

    /** RocksDB's checkpoint, under the shared guard. */
    private void takeCheckpoint(Path target) {
        store.underGuard("creating checkpoint " + target + " of " + store.dir, () -> {
            try (Checkpoint cp = Checkpoint.create(store.db)) {
                cp.createCheckpoint(target.toString());
            }
            return null;
        });
    }

    /** Flushes every column family's memtable and waits for it; see the class comment for why. */
    private void flushMemtables() {
        store.underGuard("flushing the memtables of " + store.dir, () -> {
            try (FlushOptions wait = new FlushOptions().setWaitForFlush(true)) {
                store.db.flush(wait, new ArrayList<>(store.rocks.handles()));
            }
            return null;
        });
    }

    /** Entries (writes and deletions) in every memtable, active and waiting to be flushed. */
    private long memtableEntries() {
        return store.underGuard("reading the memtables' size in " + store.dir, () -> {
            long entries = 0;
            for (ColumnFamilyHandle cf : store.rocks.handles()) {
                entries += store.db.getLongProperty(cf, "rocksdb.num-entries-active-mem-table")
                        + store.db.getLongProperty(cf, "rocksdb.num-entries-imm-mem-tables");
            }
            return entries;
        });
    }
}
