package io.kvorum.server.state;

import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The most recently used node records as the store holds them once the batches written so far
 * are in it, so that applying a command does not read its node back from RocksDB (at 256 writes
 * in flight that read was a third of the apply stage's CPU), nor does a point read the apply
 * thread serves between batches. A remembered absence ({@link #ABSENT}) saves the read a
 * create makes.
 *
 * <p>Invariant: an entry equals the store's value for its key once every batch begun so far is
 * written. It holds because every write of a node record passes through {@link BatchOverlay},
 * which updates this cache with it, and a batch that is not written stops the node. Whatever
 * replaces the store wholesale (a snapshot installed) must {@link #clear()} it.
 *
 * <p>Bounded by an estimate of the bytes it holds; the least recently used leave first. Apply
 * thread only.
 */
final class NodeRecordCache {
    /** Marks a key known to have no record; compared by identity, never written to the store. */
    static final byte[] ABSENT = new byte[0];
    /** A map entry's own objects (entry, key buffer, arrays' headers), roughly. */
    private static final int ENTRY_OVERHEAD = 112;

    private final long maxBytes;
    private long bytes;
    /** In access order: the first entry is the least recently used. */
    private final LinkedHashMap<ByteBuffer, byte[]> records = new LinkedHashMap<>(1024, 0.75f, true);

    NodeRecordCache(long maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("a cache bound cannot be negative: " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    /** The record, {@link #ABSENT} if known to be missing, or null if not remembered. */
    byte[] get(byte[] key) {
        return records.get(ByteBuffer.wrap(key));
    }

    /**
     * Remembers {@code value} ({@link #ABSENT} for none) as {@code key}'s record. The caller
     * never changes {@code key} or {@code value} afterwards.
     */
    void put(byte[] key, byte[] value) {
        ByteBuffer k = ByteBuffer.wrap(key);
        byte[] old = records.put(k, value);
        if (old != null) {
            bytes -= cost(k, old);
        }
        bytes += cost(k, value);
        Iterator<Map.Entry<ByteBuffer, byte[]>> leastRecentFirst = records.entrySet().iterator();
        while (bytes > maxBytes && leastRecentFirst.hasNext()) {
            Map.Entry<ByteBuffer, byte[]> eldest = leastRecentFirst.next();
            bytes -= cost(eldest.getKey(), eldest.getValue());
            leastRecentFirst.remove();
        }
    }

    void clear() {
        records.clear();
        bytes = 0;
    }

    int size() {
        return records.size();
    }

    long bytes() {
        return bytes;
    }

    private static long cost(ByteBuffer key, byte[] value) {
        return ENTRY_OVERHEAD + key.capacity() + value.length;
    }
}
