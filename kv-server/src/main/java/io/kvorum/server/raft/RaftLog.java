package io.kvorum.server.raft;

import java.util.ArrayList;
import java.util.List;

/**
 * The core's view of its log: durable entries in {@link RaftStorage}, newer ones in
 * {@link UnstableLog}, and the commit and apply marks.
 *
 * <p>Invariants: {@code applied <= applying <= committed <= lastIndex()}; entries below
 * {@code unstable.offset} are durable in storage, and storage is not read at or above it
 * (the node may have written a Ready there already, possibly entries since replaced).
 */
final class RaftLog {
    static final long COMPACTED = -1;

    final RaftStorage storage;
    final UnstableLog unstable;
    long committed;
    /** Highest index handed out for applying in a Ready not yet advanced. */
    long applying;
    /** Highest index the node applied (as told by advance). */
    long applied;

    RaftLog(RaftStorage storage, long applied) {
        this.storage = storage;
        this.unstable = new UnstableLog(storage.lastIndex() + 1);
        long first = storage.firstIndex();
        this.committed = Math.max(storage.initialState().hardState().commit(), first - 1);
        if (applied > committed) {
            throw new IllegalStateException("applied index " + applied + " is beyond commit " + committed);
        }
        this.applied = Math.max(applied, first - 1);
        this.applying = this.applied;
    }

    long firstIndex() {
        return unstable.snapshot != null ? unstable.snapshot.index() + 1 : storage.firstIndex();
    }

    long lastIndex() {
        long u = unstable.maybeLastIndex();
        return u >= 0 ? u : storage.lastIndex();
    }

    /** Index below which everything is known durable. */
    long lastStableIndex() {
        return unstable.snapshot != null ? unstable.snapshot.index() - 1 : unstable.offset - 1;
    }

    /** Term at i; {@link #COMPACTED} if compacted away; 0 if beyond the last index. */
    long term(long i) {
        long u = unstable.maybeTerm(i);
        if (u >= 0) {
            return u;
        }
        if (i > lastIndex()) {
            return 0;
        }
        if (i < firstIndex() - 1 || unstable.snapshot != null) {
            return COMPACTED;
        }
        try {
            return storage.term(i);
        } catch (CompactedException e) {
            return COMPACTED;
        }
    }

    long lastTerm() {
        return term(lastIndex());
    }

    boolean matchTerm(long i, long t) {
        return i <= lastIndex() && term(i) == t;
    }

    /** Raft §5.4.1: a candidate's log is at least as up to date as ours. */
    boolean isUpToDate(long lastIdx, long lastTrm) {
        long myTerm = lastTerm();
        return lastTrm > myTerm || (lastTrm == myTerm && lastIdx >= lastIndex());
    }

    /**
     * Appends a leader's entries after (prevIndex, prevTerm) if our log matches there.
     *
     * @return the index of the last entry now known to match the leader's, or -1 on mismatch
     */
    long maybeAppend(long prevIndex, long prevTerm, long leaderCommit, List<Entry> ents) {
        if (!matchTerm(prevIndex, prevTerm)) {
            return -1;
        }
        long lastNew = prevIndex + ents.size();
        long conflict = findConflict(ents);
        if (conflict != 0) {
            if (conflict <= committed) {
                throw new IllegalStateException("entry " + conflict + " conflicts with committed entry (commit "
                        + committed + ")");
            }
            append(ents.subList((int) (conflict - (prevIndex + 1)), ents.size()));
        }
        commitTo(Math.min(leaderCommit, lastNew));
        return lastNew;
    }

    /** First index of ents whose term differs from ours or that we lack; 0 if all match. */
    private long findConflict(List<Entry> ents) {
        for (Entry e : ents) {
            if (!matchTerm(e.index(), e.term())) {
                return e.index();
            }
        }
        return 0;
    }

    /**
     * Fast backtracking (etcd-io/raft findConflictByTerm): the largest index <= {@code index}
     * whose term is <= {@code term}, with that term. Lets a leader skip a whole term per round trip.
     */
    long[] findConflictByTerm(long index, long trm) {
        long i = Math.min(index, lastIndex());
        while (i > 0) {
            long t = term(i);
            if (t < 0) {
                break;
            }
            if (t <= trm) {
                return new long[]{i, t};
            }
            i--;
        }
        return new long[]{i, Math.max(0, term(i))};
    }

    long append(List<Entry> ents) {
        if (ents.isEmpty()) {
            return lastIndex();
        }
        if (ents.get(0).index() - 1 < committed) {
            throw new IllegalStateException("appending at " + ents.get(0).index() + " would overwrite commit " + committed);
        }
        unstable.truncateAndAppend(ents);
        return lastIndex();
    }

    void commitTo(long c) {
        if (c > committed) {
            if (c > lastIndex()) {
                throw new IllegalStateException("commit " + c + " beyond last index " + lastIndex());
            }
            committed = c;
        }
    }

    /** Commits {@code c} if it holds an entry of term {@code t} (Raft Figure 8). */
    boolean maybeCommit(long c, long t) {
        if (c > committed && term(c) == t) {
            commitTo(c);
            return true;
        }
        return false;
    }

    boolean hasNextCommitted() {
        return unstable.snapshot == null && committed > applying;
    }

    /** Committed entries not yet handed out, up to maxBytes (at least one), marked as applying. */
    List<Entry> nextCommitted(long maxBytes) {
        if (!hasNextCommitted()) {
            return List.of();
        }
        List<Entry> out = slice(applying + 1, committed + 1, maxBytes, Integer.MAX_VALUE);
        applying = out.get(out.size() - 1).index();
        return out;
    }

    void appliedTo(long index) {
        applied = Math.max(applied, index);
    }

    /** Entries from lo to the end, bounded by bytes and count; throws CompactedException. */
    List<Entry> entriesFrom(long lo, long maxBytes, int maxCount) {
        long hi = lastIndex() + 1;
        if (lo >= hi) {
            return List.of();
        }
        return slice(lo, hi, maxBytes, maxCount);
    }

    /** Entries in [lo, hi): at least one, at most maxBytes and maxCount. */
    List<Entry> slice(long lo, long hi, long maxBytes, int maxCount) {
        if (lo < firstIndex()) {
            throw new CompactedException(lo, firstIndex());
        }
        hi = Math.min(hi, lo + maxCount);
        List<Entry> out = new ArrayList<>();
        long bytes = 0;
        if (lo < unstable.offset) {
            List<Entry> stored = storage.entries(lo, Math.min(hi, unstable.offset), maxBytes);
            for (Entry e : stored) {
                bytes += e.sizeBytes();
            }
            out.addAll(stored);
            if (stored.size() < Math.min(hi, unstable.offset) - lo) {
                return out;
            }
        }
        if (hi > unstable.offset) {
            for (Entry e : unstable.slice(Math.max(lo, unstable.offset), hi)) {
                bytes += e.sizeBytes();
                if (!out.isEmpty() && bytes > maxBytes) {
                    break;
                }
                out.add(e);
            }
        }
        return out;
    }

    /** The snapshot to send a follower that is behind our first index. */
    SnapshotMeta snapshot() {
        return unstable.snapshot != null ? unstable.snapshot : storage.snapshot();
    }

    void restore(SnapshotMeta s) {
        committed = s.index();
        applying = s.index();
        unstable.restore(s);
    }
}
