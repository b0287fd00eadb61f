package io.kvorum.server.storage;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

import java.util.Objects;

/**
 * The state-machine changes of one {@link NodeStore#applyBatch} call. Nothing is visible until
 * the call returns, and then all of it is, together with the new applied index: the changes
 * and the index that describes them land in one RocksDB WriteBatch, so a crash never re-applies or skips an entry (the
 * double apply of etcd 3.5.0-3.5.2, etcd-io/etcd#13766).
 *
 * <p>Valid only inside the consumer passed to {@code applyBatch}; using it afterwards throws.
 * Keys compare as unsigned bytes, which is the order {@link NodeStore#forEachInRange} visits.
 */
public final class StateBatch implements StateWriter {
    private final WriteBatch batch;
    private final ColumnFamilyHandle cf;
    private boolean sealed;
    private int ops;

    StateBatch(WriteBatch batch, ColumnFamilyHandle cf) {
        this.batch = batch;
        this.cf = cf;
    }

    @Override
    public StateBatch put(byte[] key, byte[] value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        checkOpen();
        try {
            batch.put(cf, key, value);
        } catch (RocksDBException e) {
            throw new StorageException("state batch put failed: " + e.getMessage(), e);
        }
        ops++;
        return this;
    }

    @Override
    public StateBatch delete(byte[] key) {
        Objects.requireNonNull(key, "key");
        checkOpen();
        try {
            batch.delete(cf, key);
        } catch (RocksDBException e) {
            throw new StorageException("state batch delete failed: " + e.getMessage(), e);
        }
        ops++;
        return this;
    }

    /** Deletes every key in {@code [from, to)}. */
    @Override
    public StateBatch deleteRange(byte[] from, byte[] to) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        checkOpen();
        try {
            batch.deleteRange(cf, from, to);
        } catch (RocksDBException e) {
            throw new StorageException("state batch deleteRange failed: " + e.getMessage(), e);
        }
        ops++;
        return this;
    }

    /** Number of operations added so far. */
    public int size() {
        return ops;
    }

    /** Called by the store before it writes: later use is a bug in the caller. */
    void seal() {
        sealed = true;
    }

    private void checkOpen() {
        if (sealed) {
            throw new IllegalStateException("StateBatch used after its applyBatch call returned");
        }
    }
}
