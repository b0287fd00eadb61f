package io.kvorum.server.storage;

import io.kvorum.server.raft.Entry;

import java.util.Arrays;
import java.util.List;

/**
 * An immutable in-memory picture of the stored log's shape: the anchor (index and term just
 * before the first stored entry), the last index, and the term of every index in between,
 * kept as runs (first index of each term), so {@code term()}, {@code firstIndex()} and
 * {@code lastIndex()} never touch RocksDB.
 *
 * <p>Terms only change at elections, so a log of millions of entries has a handful of runs;
 * the whole term map fits in a few words and is cheap to copy. The store publishes a new view
 * through a volatile field after each write lands, which lets the core read it from any
 * thread without a lock while a persist is in flight.
 *
 * <p>Invariants: {@code anchorIndex <= lastIndex}; runs cover exactly
 * {@code (anchorIndex, lastIndex]} (entries before the first run have {@code anchorTerm}),
 * their start indexes strictly increase, and each run's term is above the one before it (the
 * first above {@code anchorTerm}).
 */
final class LogView {
    final long anchorIndex;
    final long anchorTerm;
    final long lastIndex;
    private final long[] runStart;
    private final long[] runTerm;

    private LogView(long anchorIndex, long anchorTerm, long lastIndex, long[] runStart, long[] runTerm) {
        this.anchorIndex = anchorIndex;
        this.anchorTerm = anchorTerm;
        this.lastIndex = lastIndex;
        this.runStart = runStart;
        this.runTerm = runTerm;
    }

    /** An empty log after {@code index}/{@code term} (a new store, or a snapshot). */
    static LogView empty(long index, long term) {
        return new LogView(index, term, index, new long[0], new long[0]);
    }

    long firstIndex() {
        return anchorIndex + 1;
    }

    /** Term at {@code index}; the caller guarantees {@code anchorIndex <= index <= lastIndex}. */
    long term(long index) {
        int i = Arrays.binarySearch(runStart, index);
        if (i < 0) {
            i = -i - 2; // the run starting before index
        }
        return i < 0 ? anchorTerm : runTerm[i];
    }

    /** Whether {@code index} lies in the stored log or is the anchor. */
    boolean covers(long index) {
        return index >= anchorIndex && index <= lastIndex;
    }

    /**
     * This log with every entry from {@code entries.get(0).index()} on replaced by
     * {@code entries} (contiguous, starting in {@code (anchorIndex, lastIndex + 1]}).
     *
     * @throws IllegalArgumentException if the result would break the invariants: a gap, or a
     *         term lower than the one before it (no correct Raft leader produces either).
     */
    LogView append(List<Entry> entries) {
        long start = entries.get(0).index();
        if (start <= anchorIndex || start > lastIndex + 1) {
            throw new IllegalArgumentException("entries starting at " + start + " do not attach to log ("
                    + anchorIndex + ", " + lastIndex + "]");
        }
        int keep = Arrays.binarySearch(runStart, start);
        keep = keep >= 0 ? keep : -keep - 1; // runs starting before `start` survive the truncation
        long[] starts = Arrays.copyOf(runStart, keep + entries.size());
        long[] terms = Arrays.copyOf(runTerm, keep + entries.size());
        int n = keep;
        long prevTerm = n == 0 ? anchorTerm : terms[n - 1];
        long expect = start;
        for (Entry e : entries) {
            if (e.index() != expect) {
                throw new IllegalArgumentException("entries not contiguous: " + e.index() + " after " + (expect - 1));
            }
            if (e.term() < prevTerm) {
                throw new IllegalArgumentException("entry " + e.index() + " has term " + e.term()
                        + ", lower than term " + prevTerm + " before it");
            }
            if (e.term() != prevTerm) {
                starts[n] = e.index();
                terms[n] = e.term();
                n++;
                prevTerm = e.term();
            }
            expect++;
        }
        return new LogView(anchorIndex, anchorTerm, expect - 1, Arrays.copyOf(starts, n), Arrays.copyOf(terms, n));
    }

    /** This log with everything up to {@code index} dropped; {@code index} becomes the anchor. */
    LogView compactTo(long index) {
        if (index <= anchorIndex) {
            return this;
        }
        if (index > lastIndex) {
            throw new IllegalArgumentException("compact index " + index + " beyond last index " + lastIndex);
        }
        long term = term(index);
        int from = Arrays.binarySearch(runStart, index + 1);
        from = from >= 0 ? from : -from - 1; // first run starting after index
        return new LogView(index, term, lastIndex,
                Arrays.copyOfRange(runStart, from, runStart.length),
                Arrays.copyOfRange(runTerm, from, runTerm.length));
    }

    @Override
    public String toString() {
        return "LogView{anchor=" + anchorIndex + "@" + anchorTerm + ", last=" + lastIndex + ", runs="
                + runStart.length + "}";
    }
}
