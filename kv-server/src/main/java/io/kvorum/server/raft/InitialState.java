package io.kvorum.server.raft;

/** What a restarting core reads from storage: its hard state and the membership in force. */
public record InitialState(HardState hardState, ConfState confState) {
}
