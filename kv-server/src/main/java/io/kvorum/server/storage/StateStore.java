package io.kvorum.server.storage;

import io.kvorum.server.raft.ConfState;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.WriteBatch;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The state machine's side of a {@link NodeStore}: its data in the state column family in
 * force ({@code state.<n>}, a new generation per installed snapshot) and the applied index and
 * membership that describe it, changed together by {@link #applyBatch} and read by anyone.
 *
 * <p>Writers hold {@link #lock()}; readers hold the database guard shared, so the column family
 * they read is not swapped or closed under them.
 */
final class StateStore implements StateReader {
    private final StoreDb store;
    private final Path dir;
    private final RocksDB db;
    private final ColumnFamilyHandle raftState;
    /** The log side: entries are applied only once persisted. */
    private final LogStore log;

    /** Serializes changes to the state machine: applyBatch, installSnapshot, close. */
    private final ReentrantLock applyLock = new ReentrantLock();

    private volatile Records.Applied applied;
    private volatile ColumnFamilyHandle stateCf;
    /** The name of {@code stateCf}; written under applyLock. */
    private String stateCfName;
    private volatile StoreMetrics metrics = StoreMetrics.NONE;

    StateStore(StoreDb store, LogStore log, Records.Applied applied, String stateCfName) {
        this.store = store;
        this.dir = store.dir;
        this.db = store.db;
        this.raftState = store.raftState;
        this.log = log;
        this.applied = applied;
        this.stateCfName = stateCfName;
        this.stateCf = store.rocks.cf(stateCfName);
    }

    /** Held by whatever changes the state; after the log's lock in the store's lock order. */
    void lock() {
        applyLock.lock();
    }

    void unlock() {
        applyLock.unlock();
    }

    void metrics(StoreMetrics m) {
        metrics = m;
    }

    /** See {@link NodeStore#applyBatch}. */
    void applyBatch(long appliedIndex, ConfState confAtApplied, Consumer<StateBatch> changes) {
        Objects.requireNonNull(confAtApplied, "confAtApplied");
        applyLock.lock();
        try {
            store.ensureOpen();
            long current = applied.index();
            if (appliedIndex <= current) {
                throw new IllegalStateException("index " + appliedIndex + " is already applied (applied index is "
                        + current + ")");
            }
            long lastIndex = log.lastIndex();
            if (appliedIndex > lastIndex) {
                throw new IllegalStateException("applying index " + appliedIndex + " beyond the persisted log (last "
                        + "index " + lastIndex + "): entries must be persisted before they are applied");
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
                db.write(store.asyncWrite, batch);
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

    Records.Applied applied() {
        return applied;
    }

    long appliedIndex() {
        return applied.index();
    }

    ConfState appliedConfState() {
        return applied.conf();
    }

    /** The name of the state column family in force; read under this store's lock. */
    String generation() {
        return stateCfName;
    }

    /**
     * Makes {@code cf}, called {@code name}, the state in force, applied up to {@code at}. The
     * caller holds this store's lock and the database guard exclusively, and wrote the
     * switching records.
     */
    void switchTo(ColumnFamilyHandle cf, String name, Records.Applied at) {
        stateCf = cf;
        stateCfName = name;
        applied = at;
    }

    @Override
    public byte[] get(byte[] key) {
        Objects.requireNonNull(key, "key");
        store.guard.readLock().lock();
        try {
            store.ensureOpen();
            return db.get(stateCf, key);
        } catch (RocksDBException e) {
            throw new StorageException("reading state in " + dir + " failed: " + e.getMessage(), e);
        } finally {
            store.guard.readLock().unlock();
        }
    }

    @Override
    public int forEachInRange(byte[] from, byte[] to, int limit, BiConsumer<byte[], byte[]> visitor) {
        Objects.requireNonNull(visitor, "visitor");
        if (limit <= 0) {
            return 0;
        }
        store.guard.readLock().lock();
        try (ReadOptions ro = new ReadOptions(); Slice upper = to == null ? null : new Slice(to)) {
            store.ensureOpen();
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
            store.guard.readLock().unlock();
        }
    }

    /** See {@link NodeStore#stateSizeBytes()}. */
    long sizeBytes() {
        store.guard.readLock().lock();
        try (Slice from = new Slice(new byte[0]); Slice to = new Slice(new byte[] {(byte) 0xFF})) {
            store.ensureOpen();
            long[] sizes = db.getApproximateSizes(stateCf, List.of(new org.rocksdb.Range(from, to)),
                    org.rocksdb.SizeApproximationFlag.INCLUDE_MEMTABLES, org.rocksdb.SizeApproximationFlag.INCLUDE_FILES);
            return sizes[0];
        } finally {
            store.guard.readLock().unlock();
        }
    }
}
