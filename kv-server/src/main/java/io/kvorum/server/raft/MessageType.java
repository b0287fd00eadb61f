package io.kvorum.server.raft;

/** Every message the core sends or receives. Each is handled in one place in {@link RaftCore}. */
public enum MessageType {
    /** Leader to follower: entries after (logTerm, index), and the leader's commit. */
    APPEND,
    /** Follower to leader: index is the last matching index, or a rejection with a hint. */
    APPEND_RESPONSE,
    /** Leader to follower, apart from appends: commit, and a ReadIndex round in context. */
    HEARTBEAT,
    HEARTBEAT_RESPONSE,
    /** Pre-vote request at term+1; the sender does not raise its own term (thesis §9.6). */
    PRE_VOTE,
    PRE_VOTE_RESPONSE,
    VOTE,
    VOTE_RESPONSE,
    /** Leader to follower: install the snapshot described by {@code snapshot}. */
    SNAPSHOT,
    /** Leader to transfer target: campaign now, bypassing pre-vote and leases. */
    TIMEOUT_NOW,
    /** Follower to leader: a forwarded proposal. */
    PROPOSE,
    /** Follower to leader: read index requested for the ids in {@code contexts}. */
    READ_INDEX,
    /** Leader to follower: the read index for the ids in {@code contexts}. */
    READ_INDEX_RESPONSE
}
