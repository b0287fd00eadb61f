package io.kvorum.server.state;

import io.kvorum.server.storage.StateReader;
import io.kvorum.server.storage.StateWriter;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * Read-your-writes over one {@link StateWriter}: a RocksDB WriteBatch cannot be read, yet the
 * node applies many commands into one batch, and a command must see what the earlier ones
 * wrote (a create under a parent created two entries before). Writes go to the batch and are
 * remembered here; reads look here first, then in the store.
 *
 * <p>Lifetime: one batch. A different batch object means the previous one was written (or the
 * node failed and stops), so the remembered writes are dropped; {@link #reset()} does the same
 * when the node reports the batch durable. Apply thread only.
 *
 * <p>Keys whose tag is in {@link #unread} ({@code DATA}, {@code HISTORY}) are written through
 * without being remembered: apply never reads them back, and they are the large values (node
 * data over the inline limit, events with data), so the overlay stays small.
 *
 * <p>Node records are also remembered across batches, in a {@link NodeRecordCache}: nearly
 * every command reads one, and only apply writes them.
 */
final class BatchOverlay {
    /** Marks a key deleted in this batch; compared by identity, never stored. */
    static final byte[] DELETED = new byte[0];

    private final StateReader store;
    private final TreeMap<byte[], byte[]> writes = new TreeMap<>(Arrays::compareUnsigned);
    private final NodeRecordCache nodes;
    private StateWriter batch;

    /** {@code nodeCacheBytes}: the bound of the node records remembered across batches. */
    BatchOverlay(StateReader store, long nodeCacheBytes) {
        this.store = store;
        this.nodes = new NodeRecordCache(nodeCacheBytes);
    }

    /** Starts (or continues) writing into {@code b}. */
    void begin(StateWriter b) {
        if (b != batch) {
            writes.clear();
            batch = b;
        }
    }

    /**
     * No batch is begun and unwritten: the store holds every write made through this overlay,
     * and {@link #get} reads what the store would answer.
     */
    boolean betweenBatches() {
        return batch == null;
    }

    /** The batch is in the store now: forget it. */
    void reset() {
        writes.clear();
        batch = null;
    }

    /** The store was replaced under this overlay (a snapshot installed): forget everything. */
    void storeReplaced() {
        reset();
        nodes.clear();
    }

    byte[] get(byte[] key) {
        byte[] v = writes.get(key);
        if (v != null) {
            return v == DELETED ? null : v;
        }
        if (!isNode(key)) {
            return store.get(key);
        }
        v = nodes.get(key);
        if (v == null) {
            v = store.get(key);
            nodes.put(key, v == null ? NodeRecordCache.ABSENT : v);
        }
        return v == NodeRecordCache.ABSENT ? null : v;
    }

    void put(byte[] key, byte[] value) {
        batch.put(key, value);
        if (!unread(key)) {
            writes.put(key, value);
        }
        if (isNode(key)) {
            nodes.put(key, value);
        }
    }

    void delete(byte[] key) {
        batch.delete(key);
        if (!unread(key)) {
            writes.put(key, DELETED);
        }
        if (isNode(key)) {
            nodes.put(key, NodeRecordCache.ABSENT);
        }
    }

    /** How many node records are remembered across batches (tests). */
    int cachedNodes() {
        return nodes.size();
    }

    /** Deletes {@code [from, to)}: only for keys apply never reads (see {@link #unread}). */
    void deleteUnreadRange(byte[] from, byte[] to) {
        if (!unread(from)) {
            throw new IllegalArgumentException("range deletes are only for keys apply never reads");
        }
        batch.deleteRange(from, to);
    }

    /**
     * Collects the live entries with {@code prefix} as the store and this batch together see
     * them, into {@code into} (which then holds the batch's view; deleted keys removed).
     */
    void collectPrefix(byte[] prefix, TreeMap<byte[], byte[]> into) {
        store.forEachWithPrefix(prefix, Integer.MAX_VALUE, into::put);
        byte[] end = StateReader.prefixEnd(prefix);
        Map<byte[], byte[]> mine = end == null ? writes.tailMap(prefix, true) : writes.subMap(prefix, true, end, false);
        mine.forEach(overrideInto(into));
    }

    static BiConsumer<byte[], byte[]> overrideInto(TreeMap<byte[], byte[]> into) {
        return (k, v) -> {
            if (v == DELETED) {
                into.remove(k);
            } else {
                into.put(k, v);
            }
        };
    }

    private static boolean isNode(byte[] key) {
        return key.length > 0 && key[0] == Keys.NODE;
    }

    private static boolean unread(byte[] key) {
        return key.length > 0 && (key[0] == Keys.DATA || key[0] == Keys.HISTORY);
    }
}
