package io.kvorum.server.node;

import io.kvorum.server.storage.StateWriter;

/**
 * The replicated application the node applies committed commands to. The node calls it from
 * its single loop thread, in log order; every write goes into {@code batch}, which the node
 * commits together with the applied index (so a restart resumes exactly where it stopped).
 */
public interface StateMachine {
    /**
     * Applies one committed command.
     *
     * @param index the command's log index
     * @return the answer handed to the proposer (may be empty, never null)
     */
    byte[] apply(long index, byte[] command, StateWriter batch);

    /**
     * The batch holding everything applied through {@code appliedIndex} is written: effects
     * that must not be seen before they are durable (watch events) may go out now.
     */
    default void committed(long appliedIndex) {
    }

    /** The state was replaced by an installed snapshot: drop any cached view of it. */
    default void restored(long index) {
    }
}
