package io.kvorum.server.storage;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteOptions;

import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The open RocksDB of one {@link NodeStore} as its parts ({@link LogStore}, {@link StateStore},
 * {@link Checkpoints}, {@link SnapshotInstaller}) share it: the Raft column families, the two
 * write options, and the guard that keeps native handles alive while they are used.
 *
 * <p>Readers of RocksDB hold {@link #guard} shared; swapping the state column family and
 * closing hold it exclusively, so no native handle is used after it is freed. Lock order
 * across the store: the log's lock, then the state's, then this guard.
 */
final class StoreDb {
    final Path dir;
    final RocksResources rocks;
    final RocksDB db;
    final ColumnFamilyHandle raftLog;
    final ColumnFamilyHandle raftState;
    final WriteOptions syncWrite = new WriteOptions().setSync(true);
    final WriteOptions asyncWrite = new WriteOptions().setSync(false);
    final ReentrantReadWriteLock guard = new ReentrantReadWriteLock();
    private volatile boolean closed;

    StoreDb(Path dir, RocksResources rocks) {
        this.dir = dir;
        this.rocks = rocks;
        this.db = rocks.db;
        this.raftLog = rocks.cf(StoreLayout.CF_RAFT_LOG);
        this.raftState = rocks.cf(StoreLayout.CF_RAFT_STATE);
    }

    void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("store at " + dir + " is closed");
        }
    }

    boolean isClosed() {
        return closed;
    }

    RocksIterator newIterator(ColumnFamilyHandle cf) {
        ensureOpen();
        return db.newIterator(cf);
    }

    /** A call on the open database that may fail in RocksDB. */
    @FunctionalInterface
    interface RocksCall<T> {
        T call() throws RocksDBException;
    }

    /**
     * Runs {@code call} under the shared guard on the open database; a RocksDB failure becomes
     * a {@link StorageException} saying "{@code doing} failed" with RocksDB's message.
     */
    <T> T underGuard(String doing, RocksCall<T> call) {
        guard.readLock().lock();
        try {
            ensureOpen();
            return call.call();
        } catch (RocksDBException e) {
            throw new StorageException(doing + " failed: " + e.getMessage(), e);
        } finally {
            guard.readLock().unlock();
        }
    }

    /** See {@link NodeStore#compactFiles()}. */
    void compactFiles() {
        underGuard("compacting the files of " + dir, () -> {
            for (String name : rocks.columnFamilies()) {
                db.compactRange(rocks.cf(name));
            }
            return null;
        });
    }

    /** RocksDB's figures, with {@code logEntries} entries in the log; {@link StoreStats#EMPTY} once closed. */
    StoreStats stats(long logEntries) {
        guard.readLock().lock();
        try {
            if (closed) {
                return StoreStats.EMPTY;
            }
            return StoreStats.read(db, raftLog, rocks.handles(), logEntries);
        } finally {
            guard.readLock().unlock();
        }
    }

    /**
     * Closes the database; the caller holds the log's and the state's locks, so nothing writes
     * meanwhile. Closing twice does nothing.
     */
    void close() {
        guard.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            syncWrite.close();
            asyncWrite.close();
            rocks.close();
        } finally {
            guard.writeLock().unlock();
        }
    }
}
