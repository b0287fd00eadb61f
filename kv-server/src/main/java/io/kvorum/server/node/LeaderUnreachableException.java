package io.kvorum.server.node;

/**
 * This node cannot reach a leader, so it refuses a call at once rather than hold it (see
 * {@link LeaderContact}). Unlike {@link NotLeaderException} it is not worth retrying on this
 * node: the caller should go to the leader ({@link #leaderId()}, when known) or to another node.
 */
public final class LeaderUnreachableException extends RuntimeException {
    private final long leaderId;
    private final boolean outcomeUnknown;

    public LeaderUnreachableException(String message, long leaderId, boolean outcomeUnknown) {
        super(message);
        this.leaderId = leaderId;
        this.outcomeUnknown = outcomeUnknown;
    }

    /** The leader this node last knew, or 0. */
    public long leaderId() {
        return leaderId;
    }

    /**
     * True for a proposal already forwarded when the link to the leader failed: it may still be
     * applied. False when nothing was sent.
     */
    public boolean outcomeUnknown() {
        return outcomeUnknown;
    }
}
