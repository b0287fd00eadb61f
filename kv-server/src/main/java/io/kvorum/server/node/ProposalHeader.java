package io.kvorum.server.node;

/**
 * The 24 bytes the node puts before each command it proposes: the proposing node's id, its
 * incarnation (chosen at start, so a restarted node never mistakes an old entry for one of
 * its new proposals) and a sequence number. When the proposing node applies the entry it
 * completes the waiting caller; other nodes just apply the command.
 */
record ProposalHeader(long origin, long incarnation, long seq) {
    static final int SIZE = 24;

    /** Writes this header into the first {@link #SIZE} bytes of {@code framed}; returns it. */
    byte[] writeInto(byte[] framed) {
        putLong(framed, 0, origin);
        putLong(framed, 8, incarnation);
        putLong(framed, 16, seq);
        return framed;
    }

    /** Reads the header of an entry's data; null if the data is too short to carry one. */
    static ProposalHeader read(byte[] data) {
        if (data.length < SIZE) {
            return null;
        }
        return new ProposalHeader(getLong(data, 0), getLong(data, 8), getLong(data, 16));
    }

    private static void putLong(byte[] b, int off, long v) {
        for (int i = 0; i < 8; i++) {
            b[off + i] = (byte) (v >>> (56 - 8 * i));
        }
    }

    private static long getLong(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xffL);
        }
        return v;
    }
}
