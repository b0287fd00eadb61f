package io.kvorum.server.storage;

import java.util.Arrays;
import java.util.function.BiConsumer;

/**
 * Reads of the state machine's key space, as the state layer needs them: point reads and
 * ordered scans. Keys compare as unsigned bytes. {@link NodeStore} implements it over its state
 * column family; the {@code state} package depends on this interface only, never on the store.
 */
public interface StateReader {
    /** The value at {@code key}, or null. */
    byte[] get(byte[] key);

    /**
     * Visits entries with {@code from <= key < to} in unsigned byte order, at most
     * {@code limit} of them, from one consistent point in time.
     *
     * @param from first key, inclusive; null for the start
     * @param to   end key, exclusive; null for no end
     * @return how many entries were visited
     */
    int forEachInRange(byte[] from, byte[] to, int limit, BiConsumer<byte[], byte[]> visitor);

    /** Visits entries whose key starts with {@code prefix}, at most {@code limit}. */
    default int forEachWithPrefix(byte[] prefix, int limit, BiConsumer<byte[], byte[]> visitor) {
        return forEachInRange(prefix, prefixEnd(prefix), limit, visitor);
    }

    /** The smallest key greater than every key starting with {@code prefix}; null if none. */
    static byte[] prefixEnd(byte[] prefix) {
        for (int i = prefix.length - 1; i >= 0; i--) {
            if (prefix[i] != (byte) 0xFF) {
                byte[] end = Arrays.copyOf(prefix, i + 1);
                end[i]++;
                return end;
            }
        }
        return null;
    }
}
