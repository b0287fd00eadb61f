package io.kvorum.server.storage;

import io.kvorum.server.raft.ConfState;
import io.kvorum.server.raft.Entry;
import io.kvorum.server.raft.EntryType;
import io.kvorum.server.raft.HardState;
import io.kvorum.server.raft.SnapshotMeta;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.CRC32C;

/**
 * Byte encodings of everything the store writes outside the state machine's own data, each
 * sealed with a checksum: {@code value = crc32c(key ‖ payload) (4 bytes, big-endian) ‖ payload}.
 *
 * <p>The key is inside the checksum so that a value found under the wrong key (a misdirected
 * write, a bug in key encoding) fails verification just like flipped bits do. A value that
 * fails verification is never decoded: the caller gets a {@link StorageException} naming the
 * record and the store's path (storage corruption is outside Raft's model: a corrupt vote or
 * entry must not count as durable; Alagappan et al., "Protocol-Aware Recovery", FAST'18).
 */
final class Records {
    /** The applied index and the membership in force at it. */
    record Applied(long index, ConfState conf) {
    }

    /** Index and term of the position just before the first stored log entry. */
    record Anchor(long index, long term) {
    }

    private static final int CRC_BYTES = 4;
    private static final byte TYPE_NORMAL = 0;
    private static final byte TYPE_CONF_CHANGE = 1;

    private Records() {
    }

    // ---- log entries: payload = term (8) ‖ type (1) ‖ data

    static byte[] encodeEntry(byte[] key, Entry e) {
        ByteBuffer b = allocate(8 + 1 + e.data().length);
        b.putLong(e.term());
        b.put(e.type() == EntryType.CONF_CHANGE ? TYPE_CONF_CHANGE : TYPE_NORMAL);
        b.put(e.data());
        return seal(key, b);
    }

    /** Decodes a stored entry after verifying its checksum; {@code where} is for messages. */
    static Entry decodeEntry(byte[] key, byte[] value, long index, Path where) {
        String what = "raft_log entry at index " + index;
        ByteBuffer b = unseal(key, value, what, where);
        try {
            long term = b.getLong();
            byte type = b.get();
            EntryType t = switch (type) {
                case TYPE_NORMAL -> EntryType.NORMAL;
                case TYPE_CONF_CHANGE -> EntryType.CONF_CHANGE;
                default -> throw new StorageException(what + " in " + where + " has unknown type " + type);
            };
            byte[] data = new byte[b.remaining()];
            b.get(data);
            return new Entry(term, index, t, data);
        } catch (BufferUnderflowException e) {
            throw truncated(what, where);
        }
    }

    // ---- raft_state records

    static byte[] encodeHardState(HardState hs) {
        ByteBuffer b = allocate(24);
        b.putLong(hs.term()).putLong(hs.vote()).putLong(hs.commit());
        return seal(StoreLayout.HARD_STATE, b);
    }

    static HardState decodeHardState(byte[] value, Path where) {
        ByteBuffer b = unseal(StoreLayout.HARD_STATE, value, "hard_state", where);
        try {
            return new HardState(b.getLong(), b.getLong(), b.getLong());
        } catch (BufferUnderflowException e) {
            throw truncated("hard_state", where);
        }
    }

    static byte[] encodeSnapshot(SnapshotMeta m) {
        ByteBuffer b = allocate(16 + confBytes(m.conf()));
        b.putLong(m.index()).putLong(m.term());
        putConf(b, m.conf());
        return seal(StoreLayout.SNAPSHOT, b);
    }

    static SnapshotMeta decodeSnapshot(byte[] value, Path where) {
        ByteBuffer b = unseal(StoreLayout.SNAPSHOT, value, "snapshot", where);
        try {
            return new SnapshotMeta(b.getLong(), b.getLong(), getConf(b));
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw truncated("snapshot", where);
        }
    }

    static byte[] encodeApplied(long index, ConfState conf) {
        ByteBuffer b = allocate(8 + confBytes(conf));
        b.putLong(index);
        putConf(b, conf);
        return seal(StoreLayout.APPLIED, b);
    }

    static Applied decodeApplied(byte[] value, Path where) {
        ByteBuffer b = unseal(StoreLayout.APPLIED, value, "applied", where);
        try {
            return new Applied(b.getLong(), getConf(b));
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw truncated("applied", where);
        }
    }

    static byte[] encodeAnchor(long index, long term) {
        ByteBuffer b = allocate(16);
        b.putLong(index).putLong(term);
        return seal(StoreLayout.LOG_ANCHOR, b);
    }

    static Anchor decodeAnchor(byte[] value, Path where) {
        ByteBuffer b = unseal(StoreLayout.LOG_ANCHOR, value, "log_anchor", where);
        try {
            return new Anchor(b.getLong(), b.getLong());
        } catch (BufferUnderflowException e) {
            throw truncated("log_anchor", where);
        }
    }

    // ---- small typed records: strings, longs, ints (meta and state_cf)

    static byte[] encodeString(byte[] key, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = allocate(bytes.length);
        b.put(bytes);
        return seal(key, b);
    }

    static String decodeString(byte[] key, byte[] value, Path where) {
        ByteBuffer b = unseal(key, value, StoreLayout.name(key), where);
        return new String(b.array(), b.position(), b.remaining(), StandardCharsets.UTF_8);
    }

    static byte[] encodeLong(byte[] key, long v) {
        return seal(key, allocate(Long.BYTES).putLong(v));
    }

    static long decodeLong(byte[] key, byte[] value, Path where) {
        return unsealNumber(key, value, Long.BYTES, where).getLong();
    }

    static byte[] encodeInt(byte[] key, int v) {
        return seal(key, allocate(Integer.BYTES).putInt(v));
    }

    static int decodeInt(byte[] key, byte[] value, Path where) {
        return unsealNumber(key, value, Integer.BYTES, where).getInt();
    }

    /** The payload of a record holding one number of {@code bytes}; malformed when shorter. */
    private static ByteBuffer unsealNumber(byte[] key, byte[] value, int bytes, Path where) {
        ByteBuffer b = unseal(key, value, StoreLayout.name(key), where);
        if (b.remaining() < bytes) {
            throw truncated(StoreLayout.name(key), where);
        }
        return b;
    }

    // ---- sealing

    /** A buffer for {@code payloadBytes} of payload, positioned after the checksum slot. */
    private static ByteBuffer allocate(int payloadBytes) {
        ByteBuffer b = ByteBuffer.allocate(CRC_BYTES + payloadBytes);
        b.position(CRC_BYTES);
        return b;
    }

    private static byte[] seal(byte[] key, ByteBuffer filled) {
        byte[] v = filled.array();
        if (filled.position() != v.length) {
            throw new IllegalStateException("record payload not filled: " + filled.position() + " of " + v.length);
        }
        int crc = crc(key, v);
        v[0] = (byte) (crc >>> 24);
        v[1] = (byte) (crc >>> 16);
        v[2] = (byte) (crc >>> 8);
        v[3] = (byte) crc;
        return v;
    }

    /** The payload of a sealed value, or a StorageException naming {@code what} and {@code where}. */
    private static ByteBuffer unseal(byte[] key, byte[] value, String what, Path where) {
        if (value.length < CRC_BYTES) {
            throw truncated(what, where);
        }
        ByteBuffer b = ByteBuffer.wrap(value);
        int stored = b.getInt();
        int computed = crc(key, value);
        if (stored != computed) {
            throw new StorageException(String.format(
                    "checksum mismatch in %s in %s: stored crc32c %08x, computed %08x (corrupt data; "
                            + "refusing to use it)", what, where, stored, computed));
        }
        return b;
    }

    private static int crc(byte[] key, byte[] sealed) {
        CRC32C c = new CRC32C();
        c.update(key);
        c.update(sealed, CRC_BYTES, sealed.length - CRC_BYTES);
        return (int) c.getValue();
    }

    private static StorageException truncated(String what, Path where) {
        return new StorageException(what + " in " + where + " is malformed (checksum matched but the "
                + "payload does not decode: written by another format?)");
    }

    // ---- membership: voters count (4) ‖ voters (8 each) ‖ learners count (4) ‖ learners

    private static int confBytes(ConfState c) {
        return 8 + 8 * (c.voters().size() + c.learners().size());
    }

    private static void putConf(ByteBuffer b, ConfState c) {
        b.putInt(c.voters().size());
        for (long id : c.voters()) {
            b.putLong(id);
        }
        b.putInt(c.learners().size());
        for (long id : c.learners()) {
            b.putLong(id);
        }
    }

    private static ConfState getConf(ByteBuffer b) {
        return new ConfState(getIds(b), getIds(b));
    }

    private static Set<Long> getIds(ByteBuffer b) {
        int n = b.getInt();
        if (n < 0 || n > b.remaining() / 8) {
            throw new BufferUnderflowException();
        }
        Set<Long> ids = new TreeSet<>();
        for (int i = 0; i < n; i++) {
            ids.add(b.getLong());
        }
        return ids;
    }
}
