package io.kvorum.jepsen.checker;

import java.util.Arrays;

/**
 * The set of linearized operations, with a compact snapshot for memoization. Operations are
 * numbered determinate ones first, in call order, then the indeterminate ones. The search
 * linearizes in nearly call order, so the determinate part is almost always "all below k, a few
 * above": the snapshot keeps only the words from k's word to the highest set one, plus the few
 * indeterminate bits. A 1,000-operation key costs a word or two per configuration, not sixteen.
 */
final class Bits {
    private final long[] det;
    private final long[] info;
    private final int determinate;
    /** The first determinate operation not linearized. */
    private int low;
    /** The highest word of {@code det} with a bit set, or -1. */
    private int highWord = -1;

    Bits(int n, int determinate) {
        this.determinate = determinate;
        this.det = new long[(determinate + 63) >>> 6];
        this.info = new long[(n - determinate + 63) >>> 6];
    }

    void set(int op) {
        if (op >= determinate) {
            int i = op - determinate;
            info[i >>> 6] |= 1L << i;
            return;
        }
        det[op >>> 6] |= 1L << op;
        highWord = Math.max(highWord, op >>> 6);
        while (low < determinate && (det[low >>> 6] & (1L << low)) != 0) {
            low++;
        }
    }

    void clear(int op) {
        if (op >= determinate) {
            int i = op - determinate;
            info[i >>> 6] &= ~(1L << i);
            return;
        }
        det[op >>> 6] &= ~(1L << op);
        low = Math.min(low, op);
        while (highWord >= 0 && det[highWord] == 0) {
            highWord--;
        }
    }

    /**
     * An encoding that is a function of the set and tells sets apart: [first word kept, the words
     * from there to the highest set one, the indeterminate words]. Every bit below the first kept
     * word is set (that word holds {@code low}), every bit above the last kept one is clear, and
     * the indeterminate part has a fixed length, so the length says where the parts split.
     */
    long[] snapshot() {
        int from = low >>> 6;
        int detWords = Math.max(0, highWord - from + 1);
        long[] out = new long[1 + detWords + info.length];
        out[0] = from;
        if (detWords > 0) {
            System.arraycopy(det, from, out, 1, detWords);
        }
        System.arraycopy(info, 0, out, 1 + detWords, info.length);
        return out;
    }

    @Override
    public String toString() {
        return "Bits[low=" + low + ", det=" + Arrays.toString(det) + ", info=" + Arrays.toString(info) + "]";
    }
}
