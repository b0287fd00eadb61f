package io.kvorum.server.state;

import java.nio.ByteBuffer;
import java.util.Arrays;
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
 * <p>Each key keeps one buffer that a new record of the key is copied into when it fits, and
 * {@link #get} hands out a copy. Keeping the records the callers made would give each one the
 * lifetime of its key's next write: under writes spread over many keys, most records then
 * outlive a young collection or two, are promoted, and die in the old generation, which the
 * full collections that follow pause a node for (at 256 writes in flight over 10,000 keys,
 * 2–3 full collections of 40–150 ms per node in 30 s). Reused buffers stay put in the old
 * generation, and the copies die young.
 *
 * <p>Bounded by an estimate of the bytes it holds; the least recently used leave first. Apply
 * thread only.
 */
final class NodeRecordCache {
    /** Marks a key known to have no record; compared by identity, never written to the store. */
    static final byte[] ABSENT = new byte[0];
    /** A map entry's own objects (entry, key buffer, slot, arrays' headers), roughly. */
    private static final int ENTRY_OVERHEAD = 128;

    private final long maxBytes;
    private long bytes;
    /** In access order: the first entry is the least recently used. */
    private final LinkedHashMap<ByteBuffer, Slot> records = new LinkedHashMap<>(1024, 0.75f, true);

    NodeRecordCache(long maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("a cache bound cannot be negative: " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    /** A copy of the record, {@link #ABSENT} if known to be missing, or null if not remembered. */
    byte[] get(byte[] key) {
        Slot s = records.get(ByteBuffer.wrap(key));
        return s == null ? null : s.record();
    }

    /**
     * Remembers {@code value} ({@link #ABSENT} for none) as {@code key}'s record; the value is
     * copied, the key is kept. The caller never changes {@code key} afterwards.
     */
    void put(byte[] key, byte[] value) {
        ByteBuffer k = ByteBuffer.wrap(key);
        Slot s = records.get(k);
        if (s == null) {
            s = new Slot();
            records.put(k, s);
            bytes += ENTRY_OVERHEAD + key.length;
        } else {
            bytes -= s.capacity();
        }
        s.hold(value);
        bytes += s.capacity();
        Iterator<Map.Entry<ByteBuffer, Slot>> leastRecentFirst = records.entrySet().iterator();
        while (bytes > maxBytes && leastRecentFirst.hasNext()) {
            Map.Entry<ByteBuffer, Slot> eldest = leastRecentFirst.next();
            bytes -= ENTRY_OVERHEAD + eldest.getKey().capacity() + eldest.getValue().capacity();
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

    /**
     * One key's record: the first {@code length} bytes of {@code buffer}, or {@link #ABSENT}
     * when {@code length} is negative. The buffer is replaced only when a record does not fit it
     * or would leave most of it unused.
     */
    private static final class Slot {
        private byte[] buffer = ABSENT;
        private int length = -1;

        void hold(byte[] value) {
            if (value == ABSENT) {
                length = -1;
                return;
            }
            if (value.length > buffer.length || value.length < buffer.length / 2) {
                // Room for a record that grows a little (a version, a longer value) without a new buffer.
                buffer = new byte[value.length + (value.length >> 3) + 16];
            }
            System.arraycopy(value, 0, buffer, 0, value.length);
            length = value.length;
        }

        byte[] record() {
            return length < 0 ? ABSENT : Arrays.copyOf(buffer, length);
        }

        int capacity() {
            return buffer.length;
        }
    }
}
