package io.kvorum.server.storage;

import io.kvorum.server.raft.Entry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The most recently persisted log entries, kept in memory so that reading committed entries
 * back (to apply them, or to send them to a follower a little behind) costs no RocksDB read,
 * checksum or copy. Bounded by count and bytes; the oldest entries leave first.
 *
 * <p>One writer (the store, under its log lock) and any number of readers. A reader may see
 * the cache a moment before or after the store publishes the matching {@link LogView}, so it
 * checks every entry's term against the view it read from: by the Log Matching property an
 * entry with the view's index and term is the entry the view means. Anything missing or of
 * another term is a miss, and the caller reads RocksDB instead.
 */
final class LogTail {
    private final int maxEntries;
    private final long maxBytes;
    private final ConcurrentHashMap<Long, Entry> entries = new ConcurrentHashMap<>();
    /** Writer only: the cached range is [first, last], empty when first > last. */
    private long first = 1;
    private long last;
    private long bytes;

    LogTail(int maxEntries, long maxBytes) {
        this.maxEntries = maxEntries;
        this.maxBytes = maxBytes;
    }

    /**
     * Records entries just written; they replace any cached ones from the first one's index on
     * (the conflicting suffix a new leader overrules).
     */
    void appended(List<Entry> written) {
        if (written.isEmpty()) {
            return;
        }
        long from = written.get(0).index();
        if (from <= last) {
            truncateFrom(Math.max(from, first));
        }
        if (from != last + 1) {
            reset(from - 1); // a gap: keep only a contiguous range
        }
        for (Entry e : written) {
            entries.put(e.index(), e);
            bytes += e.sizeBytes();
        }
        last = written.get(written.size() - 1).index();
        while (first <= last && (last - first + 1 > maxEntries || bytes > maxBytes)) {
            Entry gone = entries.remove(first++);
            if (gone != null) {
                bytes -= gone.sizeBytes();
            }
        }
    }

    /** Forgets entries at or below {@code index} (compacted away, or replaced by a snapshot). */
    void compactedTo(long index) {
        while (first <= last && first <= index) {
            Entry gone = entries.remove(first++);
            if (gone != null) {
                bytes -= gone.sizeBytes();
            }
        }
        if (first > last) {
            reset(index);
        }
    }

    /** Empties the cache; the next entries to come start after {@code anchorIndex}. */
    void reset(long anchorIndex) {
        entries.clear();
        bytes = 0;
        first = anchorIndex + 1;
        last = anchorIndex;
    }

    /**
     * Entries [lo, hi) as {@code view} describes them, at most {@code maxBytes} (at least one),
     * or null when any of them is not cached as the view means it.
     */
    List<Entry> read(LogView view, long lo, long hi, long maxBytes) {
        List<Entry> out = new ArrayList<>((int) Math.min(hi - lo, 256));
        long size = 0;
        for (long i = lo; i < hi; i++) {
            Entry e = entries.get(i);
            if (e == null || e.term() != view.term(i)) {
                return null;
            }
            size += e.sizeBytes();
            if (!out.isEmpty() && size > maxBytes) {
                break;
            }
            out.add(e);
        }
        return out;
    }

    private void truncateFrom(long index) {
        for (long i = index; i <= last; i++) {
            Entry gone = entries.remove(i);
            if (gone != null) {
                bytes -= gone.sizeBytes();
            }
        }
        last = index - 1;
    }
}
