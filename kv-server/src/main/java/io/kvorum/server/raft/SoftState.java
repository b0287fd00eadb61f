package io.kvorum.server.raft;

/** Volatile state worth reporting: who leads (0 when unknown) and this node's role. */
public record SoftState(long leaderId, Role role) {
}
