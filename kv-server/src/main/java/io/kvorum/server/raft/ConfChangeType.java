package io.kvorum.server.raft;

/** A single-server membership change (Raft thesis §4.1). */
public enum ConfChangeType {
    /** Add a voter, or promote an existing learner to voter. */
    ADD_VOTER,
    /** Add a non-voting member that replicates the log. */
    ADD_LEARNER,
    /** Remove a voter or learner. */
    REMOVE_NODE
}
