package io.kvorum.server.raft;

/**
 * A proposal, conf change, read or transfer the core would not take. Every reason is
 * retryable: the caller should try again later or at {@link #leaderId()} when it is known.
 */
public final class ProposalRejectedException extends RuntimeException {

    /** Why the core refused. */
    public enum Reason {
        /** No leader is known: an election is under way. */
        NO_LEADER,
        /** Leadership is being transferred; proposals wait for the new leader. */
        TRANSFERRING,
        /** Too many uncommitted bytes: no quorum is keeping up (back-pressure). */
        TOO_MUCH_UNCOMMITTED,
        /** A membership change is still pending, or the leader has not committed in its term. */
        CONF_CHANGE_PENDING,
        /** The request makes no sense in the current membership (unknown node, last voter...). */
        INVALID_CHANGE,
        /** This operation must run on the leader. */
        NOT_LEADER
    }

    private final Reason reason;
    private final long leaderId;

    public ProposalRejectedException(Reason reason, long leaderId, String message) {
        super(message);
        this.reason = reason;
        this.leaderId = leaderId;
    }

    public Reason reason() {
        return reason;
    }

    /** The leader known to the refusing node, or 0. */
    public long leaderId() {
        return leaderId;
    }
}
