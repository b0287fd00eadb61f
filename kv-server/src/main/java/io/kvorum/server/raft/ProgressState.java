package io.kvorum.server.raft;

/** How the leader is replicating to one follower. */
public enum ProgressState {
    /** Unsure where the follower's log matches: one append in flight at a time. */
    PROBE,
    /** Logs match up to {@code match}: appends are pipelined up to the inflight window. */
    REPLICATE,
    /** The follower is installing a snapshot; nothing is sent until it reports back. */
    SNAPSHOT
}
