package io.kvorum.server.node;

import io.kvorum.server.raft.Message;
import io.kvorum.server.raft.MessageType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Holds a leader's empty appends back for a short while, so that the next append to the same
 * follower carries their commit index instead of a round trip of their own.
 *
 * <p>When a write commits, the core sends each follower an empty append with the new commit
 * index, and each follower answers it. With one client writing, that is a second round trip
 * per write per follower, paid in CPU and wake-ups on all three nodes though not in the
 * client's latency: the client's next write arrives within a fraction of a millisecond and its
 * append would have carried the same commit index. So an empty append waits here up to
 * {@code holdNanos}; a later append to the same follower in the same term with at least its
 * commit index replaces it, and anything else addressed to that follower sends it first, so
 * per-follower order is kept. What waits is sent by {@link #due} once its time is up, which
 * is {@code holdNanos} after the oldest of them was held: a held message that replaces another
 * keeps the deadline of the one it replaces, so replacements never put a commit index off. Raft
 * tolerates a delayed message, and one replaced by a later message that says more is the
 * same as a lost one the later message repairs; nothing here changes what is persisted or
 * when a write is acknowledged. The cost: at low load a follower learns a commit, so applies
 * it (its watches and serializable reads see it), up to {@code holdNanos} later.
 *
 * <p>Used by the raft loop only.
 */
final class CommitNotices {
    private final long holdNanos;
    /** The held empty append per follower, in the order they were held. */
    private final Map<Long, Message> held = new LinkedHashMap<>();
    /** When the oldest held message must go out (System.nanoTime); meaningful while any is held. */
    private long deadlineNanos;

    CommitNotices(long holdNanos) {
        this.holdNanos = holdNanos;
    }

    /** Whether {@code m} waits here: an append that carries no entries (a commit index or a probe). */
    static boolean holds(Message m) {
        return m.type() == MessageType.APPEND && m.entries().isEmpty();
    }

    /**
     * Takes the messages a Ready sends, in order, and returns what to send now: held messages
     * that must go before one of {@code out}, and {@code out} less the empty appends it holds.
     */
    List<Message> pass(List<Message> out, long nowNanos) {
        if (out.isEmpty() || (held.isEmpty() && !anyHeld(out))) {
            return out;
        }
        List<Message> send = new ArrayList<>(out.size() + held.size());
        for (Message m : out) {
            Message waiting = held.remove(m.to());
            if (waiting != null && !replaces(m, waiting)) {
                send.add(waiting);
            }
            if (holds(m)) {
                if (held.isEmpty() && waiting == null) {
                    deadlineNanos = nowNanos + holdNanos;
                }
                held.put(m.to(), m);
            } else {
                send.add(m);
            }
        }
        return send;
    }

    private static boolean anyHeld(List<Message> out) {
        for (Message m : out) {
            if (holds(m)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code later}, to the same follower, says all {@code waiting} says. */
    private static boolean replaces(Message later, Message waiting) {
        return later.type() == MessageType.APPEND && later.term() == waiting.term()
                && later.commit() >= waiting.commit();
    }

    /** The held messages whose time is up at {@code nowNanos} (all of them, or none). */
    List<Message> due(long nowNanos) {
        if (held.isEmpty() || nowNanos - deadlineNanos < 0) {
            return List.of();
        }
        List<Message> send = new ArrayList<>(held.values());
        held.clear();
        return send;
    }

    /** How long until {@link #due} returns something, at most {@code limitNanos}. */
    long nanosUntilDue(long nowNanos, long limitNanos) {
        return held.isEmpty() ? limitNanos : Math.min(limitNanos, deadlineNanos - nowNanos);
    }
}
