package io.kvorum.server.raft.sim;

import io.kvorum.server.raft.Entry;
import io.kvorum.server.raft.ReadState;
import java.util.HashMap;
import java.util.Map;

/**
 * Checks every linearizable read (ReadIndex, on leaders and followers alike) against the
 * committed history. A read issued at step t must (1) get a read index at least as high as any
 * index known committed at t, and (2) once served, show for every key the value of the
 * committed prefix at the serving node's applied index, which includes every write
 * acknowledged before t.
 *
 * <p>A write counts as acknowledged as soon as any node applies it: that is earlier than a
 * client could hear about it, so the check is stricter than what clients observe.
 */
final class LinearizableReads {
    private record Pending(long node, long minIndex, long[] ackedAtIssue, long issuedAt) {
    }

    private final SimStats stats;
    private final Map<Long, Pending> pending = new HashMap<>();
    /** Per key, the committed writes in index order: index and write id. */
    private final LongList[] writeIndex = new LongList[KvState.KEYS];
    private final LongList[] writeIds = new LongList[KvState.KEYS];
    /** Per key, the highest index of an acknowledged write. */
    private final long[] ackedIndex = new long[KvState.KEYS];
    private final Map<Long, Long> firstIndexOfWrite = new HashMap<>();
    private long lastContext;

    LinearizableReads(SimStats stats) {
        this.stats = stats;
        for (int k = 0; k < KvState.KEYS; k++) {
            writeIndex[k] = new LongList();
            writeIds[k] = new LongList();
        }
    }

    long nextContext() {
        return ++lastContext;
    }

    /** The core accepted {@code readIndex(ctx)} on node {@code node} at step {@code now}. */
    void issued(long ctx, long node, long knownCommitted, long now) {
        pending.put(ctx, new Pending(node, knownCommitted, ackedIndex.clone(), now));
    }

    /** Index {@code e} was applied for the first time anywhere: it is committed, and a write in it is acknowledged. */
    void onFirstApply(Entry e) {
        if (!KvState.isWrite(e)) {
            return;
        }
        int key = KvState.key(e.data());
        long id = KvState.writeId(e.data());
        writeIndex[key].add(e.index());
        writeIds[key].add(id);
        ackedIndex[key] = Math.max(ackedIndex[key], e.index());
        if (firstIndexOfWrite.putIfAbsent(id, e.index()) == null) {
            stats.writesCommitted++;
        }
    }

    /** Index at which write {@code writeId} was first committed, or -1. */
    long indexOfWrite(long writeId) {
        return firstIndexOfWrite.getOrDefault(writeId, -1L);
    }

    /**
     * A Ready on node {@code n} carries {@code rs}. Returns whether it answers a read this node
     * is waiting for (duplicates and answers to a crashed incarnation's reads do not).
     */
    boolean onReadState(SimNode n, ReadState rs) {
        Pending p = pending.get(rs.context());
        if (p == null) {
            return false;
        }
        if (p.node != n.id) {
            throw new InvariantViolation("read " + rs.context() + " issued on node " + p.node
                    + " was answered on node " + n.id);
        }
        if (rs.index() < p.minIndex) {
            throw new InvariantViolation("stale read: read " + rs.context() + " issued at step " + p.issuedAt
                    + " on node " + n.id + " got read index " + rs.index() + ", but index " + p.minIndex
                    + " was already committed when it was issued");
        }
        return true;
    }

    /** Node {@code n} has applied through {@code rs.index()}: serve the read from its state and check it. */
    void serve(SimNode n, ReadState rs) {
        Pending p = pending.remove(rs.context());
        if (p == null) {
            return; // already served (a duplicate ReadState)
        }
        KvState s = n.state();
        for (int k = 0; k < KvState.KEYS; k++) {
            if (s.writtenAt(k) < p.ackedAtIssue[k]) {
                throw new InvariantViolation("stale read: read " + rs.context() + " on node " + n.id + " (read index "
                        + rs.index() + ", applied " + s.applied() + ") returns key " + k + " as written at index "
                        + s.writtenAt(k) + ", but a write to it at index " + p.ackedAtIssue[k]
                        + " was acknowledged before the read was issued");
            }
            int pos = writeIndex[k].floorPosition(s.applied());
            long wantId = pos < 0 ? 0 : writeIds[k].get(pos);
            long wantAt = pos < 0 ? 0 : writeIndex[k].get(pos);
            if (s.value(k) != wantId || s.writtenAt(k) != wantAt) {
                throw new InvariantViolation("read " + rs.context() + " on node " + n.id + " returns key " + k + " = write "
                        + s.value(k) + "@" + s.writtenAt(k) + " but the committed prefix through " + s.applied()
                        + " says write " + wantId + "@" + wantAt);
            }
        }
        stats.reads++;
    }

    /** The node crashed: its clients' reads are gone (they time out). */
    void forgetNode(long node) {
        pending.values().removeIf(p -> p.node == node);
    }
}
