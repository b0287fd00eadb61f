package io.kvorum.server.raft;

import java.util.Arrays;

/**
 * One membership change, carried in a {@link EntryType#CONF_CHANGE} entry. {@code context} is
 * opaque to the core; the node layer keeps the new member's address there.
 *
 * <p>Encoding: one byte of type ordinal, eight bytes of node id (big endian), then context.
 */
public record ConfChange(ConfChangeType type, long nodeId, byte[] context) {
    public ConfChange {
        if (context == null) {
            context = new byte[0];
        }
        if (nodeId <= 0) {
            throw new IllegalArgumentException("node id must be positive: " + nodeId);
        }
    }

    public byte[] encode() {
        byte[] out = new byte[9 + context.length];
        out[0] = (byte) type.ordinal();
        for (int i = 0; i < 8; i++) {
            out[1 + i] = (byte) (nodeId >>> (56 - 8 * i));
        }
        System.arraycopy(context, 0, out, 9, context.length);
        return out;
    }

    public static ConfChange decode(byte[] data) {
        if (data.length < 9 || data[0] < 0 || data[0] >= ConfChangeType.values().length) {
            throw new IllegalArgumentException("malformed conf change of " + data.length + " bytes");
        }
        long id = 0;
        for (int i = 0; i < 8; i++) {
            id = (id << 8) | (data[1 + i] & 0xffL);
        }
        return new ConfChange(ConfChangeType.values()[data[0]], id, Arrays.copyOfRange(data, 9, data.length));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConfChange c && c.type == type && c.nodeId == nodeId
                && Arrays.equals(c.context, context);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * type.hashCode() + Long.hashCode(nodeId)) + Arrays.hashCode(context);
    }

    @Override
    public String toString() {
        return type + "(" + nodeId + ")";
    }
}
