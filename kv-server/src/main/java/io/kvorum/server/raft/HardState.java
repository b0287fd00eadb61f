package io.kvorum.server.raft;

/**
 * The state a node must persist before it answers anything that depends on it. Term and vote
 * are always written together (one record), never apart.
 */
public record HardState(long term, long vote, long commit) {
    public static final HardState EMPTY = new HardState(0, 0, 0);
}
