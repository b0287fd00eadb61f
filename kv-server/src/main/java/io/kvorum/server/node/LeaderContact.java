package io.kvorum.server.node;

import io.kvorum.server.raft.Message;
import io.kvorum.server.raft.MessageType;

/**
 * Whether this node is in touch with its leader, so that a call it cannot serve fails at once
 * (UNAVAILABLE, naming the leader it knows) instead of holding the caller until its deadline: a
 * follower forwards proposals and ReadIndex requests to its leader, and when the leader cannot
 * be reached nothing ever answers them. The client then goes to the leader it names, or to
 * another node.
 *
 * <p>Contact is a message only a leader sends (heartbeat, append, snapshot, ReadIndex answer) at
 * our term or later. It is lost when none came for an election timeout (by then a healthy
 * follower would have started a pre-vote), and at once when the transport reports messages to
 * the leader lost, until the leader's next message. A leader is always in contact with itself:
 * check-quorum steps it down when it loses its quorum, and then it knows no leader.
 *
 * <p>Loop thread only.
 */
final class LeaderContact {
    private final long selfId;
    private final long timeoutNanos;
    private long lastNanos;
    private boolean linkDown;

    LeaderContact(long selfId, long electionTimeoutMillis) {
        this.selfId = selfId;
        this.timeoutNanos = electionTimeoutMillis * 1_000_000L;
        this.lastNanos = System.nanoTime() - timeoutNanos - 1;
    }

    /** Notes {@code m}, just stepped, when it shows a leader of term {@code term} or later reached us. */
    void received(Message m, long term) {
        MessageType t = m.type();
        if (m.term() >= term && (t == MessageType.HEARTBEAT || t == MessageType.APPEND || t == MessageType.SNAPSHOT
                || t == MessageType.READ_INDEX_RESPONSE)) {
            lastNanos = System.nanoTime();
            linkDown = false;
        }
    }

    /**
     * The transport lost messages to {@code peer}. True when that is our leader: what we
     * forwarded to it may never arrive.
     */
    boolean lost(long peer, long leaderId) {
        if (peer != leaderId || leaderId == selfId || leaderId == 0) {
            return false;
        }
        linkDown = true;
        return true;
    }

    /** Why this node cannot reach a leader now, or null when it can (or is the leader). */
    String cutOff(long leaderId) {
        if (leaderId == selfId) {
            return null;
        }
        if (leaderId == 0) {
            return "node " + selfId + " knows no leader (an election is under way, or it is cut off from the quorum)";
        }
        if (linkDown) {
            return "node " + selfId + " cannot reach leader " + leaderId + " (messages to it were lost)";
        }
        long silent = System.nanoTime() - lastNanos;
        if (silent > timeoutNanos) {
            return "node " + selfId + " has not heard from leader " + leaderId + " for " + silent / 1_000_000 + " ms";
        }
        return null;
    }
}
