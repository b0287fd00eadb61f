package io.kvorum.client;

/** How a read is served. */
public enum ReadConsistency {
    /**
     * Reflects every write acknowledged before the read started, on any node (the default).
     * Costs a round to the leader.
     */
    LINEARIZABLE,
    /**
     * Served from the answering node's copy, possibly stale, but never older than the newest
     * revision this client has already seen: a client never goes back in time. Cheap, and
     * served by the nearest node.
     */
    SERIALIZABLE
}
