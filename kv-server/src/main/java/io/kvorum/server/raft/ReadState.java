package io.kvorum.server.raft;

/**
 * A linearizable read may be served once this node has applied through {@code index}.
 * {@code context} is the id the caller passed to {@link RaftCore#readIndex(long)}.
 */
public record ReadState(long context, long index) {
}
