package io.kvorum.server.raft.sim;

import io.kvorum.server.raft.Entry;
import io.kvorum.server.raft.HardState;
import io.kvorum.server.raft.MemoryStorage;
import io.kvorum.server.raft.Ready;
import io.kvorum.server.raft.Role;
import io.kvorum.server.raft.SnapshotMeta;
import io.kvorum.server.raft.Status;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The safety properties of Raft (paper Figure 3), checked as the cluster runs against a global
 * record of what happened. Each check costs O(1) per event or per new index, except log
 * matching, which the cluster runs every few steps. A broken property throws
 * {@link InvariantViolation} naming it.
 *
 * <p>"Committed" here means durably committed: an index is recorded as committed when some node
 * persists a hard state whose commit covers it. A leader's in-memory commit may count its own
 * not-yet-persisted entries, so only the persisted commit is a fact a crash cannot undo.
 */
final class InvariantChecker {
    private final SimStats stats;
    private final EventTrace trace;
    private long now;

    /** Election safety: the one leader of each term. */
    private final Map<Long, Long> leaderOfTerm = new HashMap<>();

    /** State-machine safety: per index, the entry first applied there (term, fingerprint) and the digest after it. */
    private final LongList appliedTerm = new LongList();
    private final LongList appliedHash = new LongList();
    private final LongList appliedDigest = new LongList();
    private long maxApplied;

    /** Per index: the committed entry's term (0 = not known yet) and a term by which it was committed. */
    private final LongList committedTerm = new LongList();
    private final LongList committedBy = new LongList();
    private long maxCommitted;

    /** Per node (by id), for the current incarnation: commit index and role last observed. */
    private final long[] commitSeen;
    private final Role[] roleSeen;
    private final long[] termSeen;
    /** Per node: entries up to this index of its durable log were checked against the committed record. */
    private final long[] verifiedCommit;

    InvariantChecker(int maxId, SimStats stats, EventTrace trace) {
        this.stats = stats;
        this.trace = trace;
        commitSeen = new long[maxId + 1];
        roleSeen = new Role[maxId + 1];
        termSeen = new long[maxId + 1];
        verifiedCommit = new long[maxId + 1];
    }

    void setStep(long step) {
        now = step;
    }

    /** The highest index known to be committed anywhere: a read issued now must not return less. */
    long knownCommitted() {
        return Math.max(maxCommitted, maxApplied);
    }

    long maxApplied() {
        return maxApplied;
    }

    // ------------------------------------------------------------ after every call into a core

    /**
     * Runs after each call into a core: the commit index of an incarnation never goes back, and a
     * node that just became leader is the only leader of its term and holds every entry committed
     * before that term.
     */
    void observe(SimNode n) {
        Status st = n.core().status();
        int id = (int) n.id;
        if (st.commit() < commitSeen[id]) {
            throw new InvariantViolation("commit index went backwards on node " + id + ": "
                    + commitSeen[id] + " -> " + st.commit());
        }
        commitSeen[id] = st.commit();
        if (st.role() == Role.LEADER && !(roleSeen[id] == Role.LEADER && termSeen[id] == st.term())) {
            becameLeader(n, st.term());
        }
        roleSeen[id] = st.role();
        termSeen[id] = st.term();
    }

    private void becameLeader(SimNode n, long term) {
        stats.elections++;
        trace.record(now, n.id, "LEADER", "term " + term);
        Long other = leaderOfTerm.putIfAbsent(term, n.id);
        if (other != null && other != n.id) {
            throw new InvariantViolation("election safety: nodes " + other + " and " + n.id
                    + " were both leader of term " + term);
        }
        // Leader completeness (paper §5.4): every entry committed in an earlier term is in the new
        // leader's log. committedBy over-approximates the committing term, so this never flags a
        // legal stale leader, only a leader missing what was committed before it.
        long compacted = n.compactedThrough();
        for (long i = Math.max(1, compacted + 1); i <= maxCommitted; i++) {
            long want = committedTerm.getOrZero(i);
            if (want == 0 || committedBy.getOrZero(i) >= term) {
                continue;
            }
            long have = n.core().logTerm(i);
            if (have != want) {
                throw new InvariantViolation("leader completeness: node " + n.id + " became leader of term "
                        + term + " but has term " + have + " at index " + i + ", committed with term " + want);
            }
        }
    }

    /** A restarted core resumes from its disk: same term and vote, commit not below the persisted one. */
    void onRestart(SimNode n) {
        Status st = n.core().status();
        HardState hs = n.storage.initialState().hardState();
        int id = (int) n.id;
        if (st.commit() < hs.commit()) {
            throw new InvariantViolation("node " + id + " restarted with commit " + st.commit()
                    + " below its persisted commit " + hs.commit());
        }
        if (st.term() != hs.term() || (hs.vote() != 0 && st.vote() != hs.vote())) {
            throw new InvariantViolation("node " + id + " restarted at term " + st.term() + " vote " + st.vote()
                    + " but persisted term " + hs.term() + " vote " + hs.vote());
        }
        if (!st.conf().equals(n.confAtApplied())) {
            throw new InvariantViolation("node " + id + " restarted with membership " + st.conf()
                    + " but its applied membership is " + n.confAtApplied());
        }
        commitSeen[id] = st.commit();
        roleSeen[id] = st.role();
        termSeen[id] = st.term();
        observe(n);
    }

    // ------------------------------------------------------------ persistence

    /**
     * Before a Ready is written: it must not rewrite an entry this node already persisted as
     * committed, and the hard state must be a legal successor of the one on disk (term never
     * decreases, one vote per term, commit never decreases).
     */
    void beforePersist(SimNode n, Ready rd) {
        MemoryStorage disk = n.storage;
        HardState old = disk.initialState().hardState();
        List<Entry> entries = rd.entries();
        if (!entries.isEmpty() && entries.get(0).index() <= old.commit() && rd.snapshot() == null) {
            for (Entry e : entries) {
                if (e.index() > old.commit()) {
                    break;
                }
                if (e.index() >= disk.firstIndex() && disk.term(e.index()) != e.term()) {
                    throw new InvariantViolation("node " + n.id + " would overwrite committed entry " + e.index()
                            + " (term " + disk.term(e.index()) + ") with term " + e.term()
                            + "; persisted commit is " + old.commit());
                }
            }
        }
        HardState hs = rd.hardState();
        if (hs == null) {
            return;
        }
        if (hs.term() < old.term()) {
            throw new InvariantViolation("node " + n.id + " persists term " + hs.term() + " below " + old.term());
        }
        if (hs.term() == old.term() && old.vote() != 0 && hs.vote() != old.vote()) {
            throw new InvariantViolation("node " + n.id + " voted twice in term " + hs.term() + ": for "
                    + old.vote() + " and for " + hs.vote());
        }
        if (hs.commit() < old.commit()) {
            throw new InvariantViolation("node " + n.id + " persists commit " + hs.commit() + " below its persisted "
                    + old.commit());
        }
    }

    /**
     * After a Ready is written: the newly committed part of this node's log joins the global
     * record of committed entries, or is checked against it (log matching on committed prefixes).
     */
    void afterPersist(SimNode n, HardState hs) {
        if (hs == null) {
            return;
        }
        MemoryStorage disk = n.storage;
        int id = (int) n.id;
        if (hs.commit() > disk.lastIndex()) {
            throw new InvariantViolation("node " + id + " persisted commit " + hs.commit()
                    + " beyond its durable last index " + disk.lastIndex());
        }
        long from = Math.max(verifiedCommit[id] + 1, disk.firstIndex());
        // Indices compacted away on this node are committed too; their terms are learned on apply.
        for (long i = maxCommitted + 1; i < from && i <= hs.commit(); i++) {
            committedBy.set(i, hs.term());
            maxCommitted = i;
        }
        for (long i = from; i <= hs.commit(); i++) {
            long t = disk.term(i);
            if (i > maxCommitted) {
                committedTerm.set(i, t);
                committedBy.set(i, hs.term());
                maxCommitted = i;
            } else {
                long known = committedTerm.getOrZero(i);
                if (known == 0) {
                    committedTerm.set(i, t);
                } else if (known != t) {
                    throw new InvariantViolation("log matching: node " + id + " has term " + t + " at index " + i
                            + " which it holds committed, but the entry committed there has term " + known);
                }
            }
        }
        verifiedCommit[id] = Math.max(verifiedCommit[id], hs.commit());
    }

    // ------------------------------------------------------------ applying

    /** Entries are applied in order with no gap, and only once durably committed on this node. */
    void beforeApply(SimNode n, Entry e) {
        long expected = n.state().applied() + 1;
        if (e.index() != expected) {
            throw new InvariantViolation("node " + n.id + " applies index " + e.index() + " after " + (expected - 1)
                    + ": applied entries must be contiguous");
        }
        long durableCommit = n.storage.initialState().hardState().commit();
        if (e.index() > durableCommit) {
            throw new InvariantViolation("node " + n.id + " applies index " + e.index()
                    + " beyond its persisted commit " + durableCommit);
        }
    }

    /**
     * State-machine safety: every node applies the same entry at each index and reaches the same
     * state. Returns true when this is the first application of the index anywhere.
     */
    boolean afterApply(SimNode n, Entry e, long digest) {
        long i = e.index();
        long hash = KvState.entryHash(e);
        long known = committedTerm.getOrZero(i);
        if (known != 0 && known != e.term()) {
            throw new InvariantViolation("node " + n.id + " applies term " + e.term() + " at index " + i
                    + " but the entry committed there has term " + known);
        }
        if (i <= maxApplied) {
            if (appliedTerm.get((int) i) != e.term() || appliedHash.get((int) i) != hash) {
                throw new InvariantViolation("state-machine safety: node " + n.id + " applies " + e
                        + " at index " + i + " where another node applied a different entry of term "
                        + appliedTerm.get((int) i));
            }
            if (appliedDigest.get((int) i) != digest) {
                throw new InvariantViolation("state-machine safety: node " + n.id + " reaches a different state"
                        + " after index " + i + " than other nodes did");
            }
            return false;
        }
        if (i != maxApplied + 1) {
            throw new InvariantViolation("node " + n.id + " applies index " + i + " although no node applied "
                    + (maxApplied + 1) + " (harness bug?)");
        }
        appliedTerm.set(i, e.term());
        appliedHash.set(i, hash);
        appliedDigest.set(i, digest);
        maxApplied = i;
        if (known == 0) {
            committedTerm.set(i, e.term());
        }
        return true;
    }

    /**
     * After advance, the core agrees with the node on what was applied: the same applied index,
     * and exactly the membership the applied log (or snapshot) describes.
     */
    void afterAdvance(SimNode n) {
        Status st = n.core().status();
        if (st.applied() != n.state().applied()) {
            throw new InvariantViolation("node " + n.id + " core reports applied " + st.applied() + " after advance,"
                    + " but the node applied through " + n.state().applied());
        }
        if (!st.conf().equals(n.confAtApplied())) {
            throw new InvariantViolation("node " + n.id + " has membership " + st.conf() + " after advance, but"
                    + " its applied entries give " + n.confAtApplied());
        }
    }

    /** A snapshot moves the node forward to the exact state every node had at that index. */
    void beforeInstall(SimNode n, SnapshotMeta meta, KvState data) {
        if (meta.index() <= n.state().applied()) {
            throw new InvariantViolation("node " + n.id + " is told to install snapshot " + meta.index()
                    + " but already applied " + n.state().applied());
        }
        if (data.applied() != meta.index()) {
            throw new InvariantViolation("snapshot " + meta.index() + " carries state at " + data.applied());
        }
        if (meta.index() > maxApplied) {
            throw new InvariantViolation("snapshot at " + meta.index() + " is past anything applied (" + maxApplied + ")");
        }
        if (appliedTerm.get((int) meta.index()) != meta.term()
                || appliedDigest.get((int) meta.index()) != data.digest()) {
            throw new InvariantViolation("snapshot " + meta.index() + "@" + meta.term() + " installed on node " + n.id
                    + " differs from the state applied at that index (term " + appliedTerm.get((int) meta.index()) + ")");
        }
    }

    // ------------------------------------------------------------ log matching

    /**
     * Log matching (paper §5.3): if two logs hold an entry with the same index and term, they are
     * identical up to it. Committed prefixes are already checked against the committed record as
     * they are persisted, so usually only the uncommitted tails are compared here; {@code full}
     * compares whole logs, and each log's committed part with the record, in memory.
     */
    void checkLogMatching(List<SimNode> up, boolean full) {
        int k = up.size();
        long[] last = new long[k];
        long[] from = new long[k];
        for (int a = 0; a < k; a++) {
            SimNode n = up.get(a);
            Status st = n.core().status();
            last[a] = st.lastIndex();
            from[a] = full ? 1 : verifiedCommit[(int) n.id] + 1;
            if (full) {
                for (long i = 1; i <= Math.min(st.commit(), maxCommitted); i++) {
                    long t = n.core().logTerm(i);
                    long want = committedTerm.getOrZero(i);
                    if (t > 0 && want != 0 && t != want) {
                        throw new InvariantViolation("log matching: node " + n.id + " holds term " + t + " at index " + i
                                + " below its commit " + st.commit() + ", but the committed entry has term " + want);
                    }
                }
            }
        }
        for (int a = 0; a < k; a++) {
            for (int b = a + 1; b < k; b++) {
                comparePair(up.get(a), up.get(b), Math.max(1, Math.min(from[a], from[b])), Math.min(last[a], last[b]));
            }
        }
    }

    private static void comparePair(SimNode a, SimNode b, long lo, long hi) {
        long match = -1;
        for (long i = hi; i >= lo; i--) {
            long ta = a.core().logTerm(i);
            if (ta > 0 && ta == b.core().logTerm(i)) {
                match = i;
                break;
            }
        }
        for (long j = match - 1; j >= lo; j--) {
            long ta = a.core().logTerm(j);
            long tb = b.core().logTerm(j);
            if (ta > 0 && tb > 0 && ta != tb) {
                throw new InvariantViolation("log matching: nodes " + a.id + " and " + b.id + " agree on term "
                        + a.core().logTerm(match) + " at index " + match + " but differ at index " + j + " (terms "
                        + ta + " and " + tb + ")");
            }
        }
    }
}
