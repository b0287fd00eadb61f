package io.kvorum.server.raft;

import java.util.ArrayList;
import java.util.List;

/**
 * Entries (and possibly an incoming snapshot) the core holds that are not yet known to be
 * durable. Invariant: {@code entries.get(i).index() == offset + i}; when {@code snapshot} is
 * set, {@code offset == snapshot.index() + 1}.
 */
final class UnstableLog {
    SnapshotMeta snapshot;
    final ArrayList<Entry> entries = new ArrayList<>();
    long offset;

    UnstableLog(long offset) {
        this.offset = offset;
    }

    /** Last index held here, or -1 if none. */
    long maybeLastIndex() {
        if (!entries.isEmpty()) {
            return offset + entries.size() - 1;
        }
        return snapshot != null ? snapshot.index() : -1;
    }

    /** Term at {@code i} if held here (entries or snapshot point), else -1. */
    long maybeTerm(long i) {
        if (i < offset) {
            return snapshot != null && snapshot.index() == i ? snapshot.term() : -1;
        }
        long last = maybeLastIndex();
        if (last < 0 || i > last) {
            return -1;
        }
        return entries.get((int) (i - offset)).term();
    }

    /**
     * Entries up to {@code (index, term)} were persisted. Ignored when the entry at index has
     * another term by now: the log was truncated after the Ready was handed out, and the
     * replacing entries are still waiting for their own Ready: a stale-term storage ack is ignored.
     */
    void stableTo(long index, long term) {
        long t = maybeTerm(index);
        if (t != term || index < offset) {
            return;
        }
        int n = (int) (index + 1 - offset);
        entries.subList(0, n).clear();
        offset = index + 1;
    }

    void stableSnapTo(long index) {
        if (snapshot != null && snapshot.index() == index) {
            snapshot = null;
        }
    }

    void restore(SnapshotMeta s) {
        entries.clear();
        offset = s.index() + 1;
        snapshot = s;
    }

    /** Appends {@code ents}, which must be contiguous; entries from ents' first index on are replaced. */
    void truncateAndAppend(List<Entry> ents) {
        long first = ents.get(0).index();
        if (first == offset + entries.size()) {
            entries.addAll(ents);
        } else if (first <= offset) {
            // Replaces everything unstable, and some stable entries: the next Ready rewrites from here.
            offset = first;
            entries.clear();
            entries.addAll(ents);
        } else {
            entries.subList((int) (first - offset), entries.size()).clear();
            entries.addAll(ents);
        }
    }

    /** Entries in [lo, hi), which must lie within this unstable part. */
    List<Entry> slice(long lo, long hi) {
        return entries.subList((int) (lo - offset), (int) (hi - offset));
    }
}
