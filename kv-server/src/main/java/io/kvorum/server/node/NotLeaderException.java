package io.kvorum.server.node;

/**
 * The node cannot serve the request now (no leader known, leader lost mid-request, shutting
 * down). Retryable; {@link #leaderAddress()} names where to go when known.
 */
public final class NotLeaderException extends RuntimeException {
    private final long leaderId;
    private final String leaderAddress;

    public NotLeaderException(String message, long leaderId, String leaderAddress) {
        super(message);
        this.leaderId = leaderId;
        this.leaderAddress = leaderAddress;
    }

    /** The leader's id, or 0 when unknown. */
    public long leaderId() {
        return leaderId;
    }

    /** The leader's peer address, or null when unknown. */
    public String leaderAddress() {
        return leaderAddress;
    }
}
