package io.kvorum.server.raft.sim;

import io.kvorum.server.raft.Entry;
import io.kvorum.server.raft.EntryType;

/**
 * The replicated state machine of the simulation: a few registers, each holding the id of the
 * last write to it and the log index of that write, plus a digest chained over every applied
 * entry. It is tiny so that a node can keep a copy at each snapshot index and ship it in a
 * SNAPSHOT message for free; the digest makes "the installed state is the state at that index"
 * checkable.
 *
 * <p>A write's payload is its 8-byte unique id, a 1-byte key and optional padding (to exercise
 * byte limits). Writes are not deduplicated: a network-duplicated proposal may be committed
 * twice, which Raft allows, and simply rewrites the same value.
 *
 * <p>Copies kept as snapshots are never mutated: callers {@link #copy()} before applying.
 */
final class KvState {
    static final int KEYS = 4;

    private final long[] value = new long[KEYS];
    private final long[] writtenAt = new long[KEYS];
    private long applied;
    private long digest;

    KvState copy() {
        KvState c = new KvState();
        System.arraycopy(value, 0, c.value, 0, KEYS);
        System.arraycopy(writtenAt, 0, c.writtenAt, 0, KEYS);
        c.applied = applied;
        c.digest = digest;
        return c;
    }

    long applied() {
        return applied;
    }

    long digest() {
        return digest;
    }

    /** Id of the last write to {@code key}, 0 if none. */
    long value(int key) {
        return value[key];
    }

    /** Log index of the last write to {@code key}, 0 if none. */
    long writtenAt(int key) {
        return writtenAt[key];
    }

    /** Applies the next entry; the caller has checked that it is {@code applied + 1}. */
    void apply(Entry e) {
        if (isWrite(e)) {
            int key = key(e.data());
            value[key] = writeId(e.data());
            writtenAt[key] = e.index();
        }
        applied = e.index();
        digest = mix(digest * 31 + entryHash(e));
    }

    static byte[] write(long writeId, int key, int padding) {
        byte[] data = new byte[9 + padding];
        for (int i = 0; i < 8; i++) {
            data[i] = (byte) (writeId >>> (56 - 8 * i));
        }
        data[8] = (byte) key;
        return data;
    }

    static boolean isWrite(Entry e) {
        return e.type() == EntryType.NORMAL && e.data().length >= 9;
    }

    static long writeId(byte[] data) {
        long id = 0;
        for (int i = 0; i < 8; i++) {
            id = (id << 8) | (data[i] & 0xffL);
        }
        return id;
    }

    static int key(byte[] data) {
        return data[8];
    }

    /** A 64-bit fingerprint of an entry's term, type and bytes: what "the same entry" means. */
    static long entryHash(Entry e) {
        long h = 0xcbf29ce484222325L; // FNV-1a
        for (byte b : e.data()) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        return mix(h ^ (e.term() * 0x9e3779b97f4a7c15L) ^ e.type().ordinal());
    }

    private static long mix(long z) { // splitmix64 finalizer
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
