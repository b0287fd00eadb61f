package io.kvorum.server.node;

/**
 * The 24 bytes the node puts before each command it proposes: the proposing node's id, its
 * incarnation (chosen at start, so a restarted node never mistakes an old entry for one of
 * its new proposals) and a sequence number. When the proposing node applies the entry it
 * completes the waiting caller; other nodes just apply the command.
 */
record ProposalHeader(long origin, long incarnation, long seq) {
    static final int SIZE = 24;

    byte[] wrap(byte[] command) {
        byte[] out = new byte[SIZE + command.length];
        putLong(out, 0, origin);
        putLong(out, 8, incarnation);
        putLong(out, 16, seq);
        System.arraycopy(command, 0, out, SIZE, command.length);
        return out;
    }

    /** Reads the header of an entry's data; null if the data is too short to carry one. */
    static ProposalHeader read(byte[] data) {
        if (data.length < SIZE) {
            return null;
        }
        return new ProposalHeader(getLong(data, 0), getLong(data, 8), getLong(data, 16));
    }

    static byte[] command(byte[] data) {
        return java.util.Arrays.copyOfRange(data, SIZE, data.length);
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
