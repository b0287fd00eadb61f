package io.kvorum.server.raft;

/** The role a Raft core plays in its current term. A learner is a follower that is not a voter. */
public enum Role {
    FOLLOWER,
    /** Asking for pre-votes at term+1 without raising its own term (Raft thesis §9.6). */
    PRE_CANDIDATE,
    CANDIDATE,
    LEADER
}
