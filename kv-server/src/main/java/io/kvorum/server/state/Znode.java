package io.kvorum.server.state;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.kvorum.proto.v1.CreateMode;
import io.kvorum.proto.v1.Stat;

/**
 * One node's stored record: its stat, its per-parent sequence counter, and its data when that
 * is small. Mutable so that an operation can copy, change and write it back; a decoded value
 * array is never changed, which is what lets {@link #data()} wrap it without copying.
 *
 * <p>Encoding (format 1), big-endian: format(1) mode(1) flags(1) createRevision(8)
 * modRevision(8) version(8) childrenVersion(8) ephemeralOwner(8) ctime(8) mtime(8) ttl(8)
 * sequence(8) numChildren(4) dataLength(4), then the data itself unless flag
 * {@code EXTERNAL} says it lives under the node's data key. Data up to {@link #INLINE_MAX}
 * bytes is inline, so the common small node is one key (one read, one write); larger data is
 * apart so that updating a parent's stat (every child create or delete does) never rewrites a
 * large value, and a children listing does not copy it.
 */
final class Znode {
    static final int INLINE_MAX = 1024;
    private static final byte FORMAT = 1;
    private static final int EXTERNAL = 1;
    static final int HEADER = 3 + 9 * 8 + 4 + 4;

    CreateMode mode = CreateMode.PERSISTENT;
    long createRevision;
    long modRevision;
    long version;
    long childrenVersion;
    long ephemeralOwner;
    long ctime;
    long mtime;
    long ttl;
    /** Next sequential suffix for children; only ever increases, so a suffix never repeats. */
    long sequence;
    int numChildren;
    int dataLength;
    /** Inline data, or null when the data is external and not loaded. */
    private ByteString data;

    /** The root before anything was written to it: it exists always. */
    static Znode emptyRoot() {
        Znode z = new Znode();
        z.data = ByteString.EMPTY;
        return z;
    }

    Znode copy() {
        Znode z = new Znode();
        z.mode = mode;
        z.createRevision = createRevision;
        z.modRevision = modRevision;
        z.version = version;
        z.childrenVersion = childrenVersion;
        z.ephemeralOwner = ephemeralOwner;
        z.ctime = ctime;
        z.mtime = mtime;
        z.ttl = ttl;
        z.sequence = sequence;
        z.numChildren = numChildren;
        z.dataLength = dataLength;
        z.data = data;
        return z;
    }

    boolean isExternal() {
        return dataLength > INLINE_MAX;
    }

    /** Inline data (no copy), or null for external data not loaded. */
    ByteString data() {
        return data;
    }

    void setData(ByteString d) {
        data = d;
        dataLength = d.size();
    }

    boolean isEphemeral() {
        return ephemeralOwner != 0;
    }

    boolean isContainer() {
        return mode == CreateMode.CONTAINER;
    }

    boolean isTtl() {
        return mode == CreateMode.PERSISTENT_WITH_TTL || mode == CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL;
    }

    /** A TTL node is in the expiry index exactly while it has no children. */
    boolean inTtlIndex() {
        return isTtl() && numChildren == 0;
    }

    /** When an unmodified, childless TTL node becomes due; saturates instead of wrapping. */
    long expireAt() {
        long at = mtime + ttl;
        return ((mtime ^ at) & (ttl ^ at)) < 0 ? Long.MAX_VALUE : at;
    }

    Stat toStat() {
        return Stat.newBuilder()
                .setCreateRevision(createRevision)
                .setModRevision(modRevision)
                .setVersion(version)
                .setChildrenVersion(childrenVersion)
                .setEphemeralOwner(ephemeralOwner)
                .setDataLength(dataLength)
                .setNumChildren(numChildren)
                .setCtimeMillis(ctime)
                .setMtimeMillis(mtime)
                .setMode(mode)
                .setTtlMillis(ttl)
                .build();
    }

    /** The record's value; inline data must be set when it is not external. */
    byte[] encode() {
        boolean external = isExternal();
        byte[] b = new byte[HEADER + (external ? 0 : dataLength)];
        b[0] = FORMAT;
        b[1] = (byte) mode.getNumber();
        b[2] = (byte) (external ? EXTERNAL : 0);
        int o = 3;
        Keys.putLong(b, o, createRevision);
        Keys.putLong(b, o += 8, modRevision);
        Keys.putLong(b, o += 8, version);
        Keys.putLong(b, o += 8, childrenVersion);
        Keys.putLong(b, o += 8, ephemeralOwner);
        Keys.putLong(b, o += 8, ctime);
        Keys.putLong(b, o += 8, mtime);
        Keys.putLong(b, o += 8, ttl);
        Keys.putLong(b, o += 8, sequence);
        Keys.putInt(b, o += 8, numChildren);
        Keys.putInt(b, o += 4, dataLength);
        if (!external) {
            if (data == null || data.size() != dataLength) {
                throw new IllegalStateException("inline data missing or of the wrong length");
            }
            data.copyTo(b, HEADER);
        }
        return b;
    }

    /** Decodes a record; inline data is wrapped, not copied ({@code value} must not change). */
    static Znode decode(byte[] value) {
        if (value.length < HEADER || value[0] != FORMAT) {
            throw new IllegalStateException("unknown node record format " + (value.length == 0 ? -1 : value[0]));
        }
        Znode z = new Znode();
        z.mode = CreateMode.forNumber(value[1]);
        if (z.mode == null) {
            throw new IllegalStateException("unknown create mode " + value[1] + " in a node record");
        }
        int o = 3;
        z.createRevision = Keys.getLong(value, o);
        z.modRevision = Keys.getLong(value, o += 8);
        z.version = Keys.getLong(value, o += 8);
        z.childrenVersion = Keys.getLong(value, o += 8);
        z.ephemeralOwner = Keys.getLong(value, o += 8);
        z.ctime = Keys.getLong(value, o += 8);
        z.mtime = Keys.getLong(value, o += 8);
        z.ttl = Keys.getLong(value, o += 8);
        z.sequence = Keys.getLong(value, o += 8);
        z.numChildren = Keys.getInt(value, o += 8);
        z.dataLength = Keys.getInt(value, o += 4);
        if ((value[2] & EXTERNAL) == 0) {
            z.data = UnsafeByteOperations.unsafeWrap(value, HEADER, z.dataLength);
        }
        return z;
    }
}
