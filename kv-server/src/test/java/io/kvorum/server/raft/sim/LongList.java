package io.kvorum.server.raft.sim;

import java.util.Arrays;

/** A growable array of longs indexed from 0, so per-index histories cost no boxing. */
final class LongList {
    private long[] values = new long[64];
    private int size;

    int size() {
        return size;
    }

    long get(int i) {
        if (i >= size) {
            throw new IndexOutOfBoundsException(i + " >= " + size);
        }
        return values[i];
    }

    /** The value at {@code i}, or 0 when nothing was ever stored there. */
    long getOrZero(long i) {
        return i < size ? values[(int) i] : 0;
    }

    void add(long v) {
        ensure(size + 1);
        values[size++] = v;
    }

    /** Stores {@code v} at {@code i}, growing with zeros as needed. */
    void set(long i, long v) {
        ensure((int) i + 1);
        values[(int) i] = v;
        size = Math.max(size, (int) i + 1);
    }

    /** Position of the last value {@code <= key} in this (ascending) list, or -1. */
    int floorPosition(long key) {
        int lo = 0;
        int hi = size - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (values[mid] <= key) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    private void ensure(int capacity) {
        if (capacity > values.length) {
            values = Arrays.copyOf(values, Math.max(capacity, values.length * 2));
        }
    }
}
