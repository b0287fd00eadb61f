package io.kvorum.server.node;

import io.kvorum.server.storage.StateWriter;

/**
 * The replicated application the node applies committed commands to. The node calls it from
 * one thread at a time (its apply thread, or its raft loop while the apply stage is idle), in
 * log order; every write goes into {@code batch}, which the node writes together with the
 * applied index (so a restart resumes exactly where it stopped).
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
     * Applies the command held in {@code data[offset, offset + length)}: the node hands the
     * log entry's own bytes, so a state machine that parses in place copies nothing.
     */
    default byte[] apply(long index, byte[] data, int offset, int length, StateWriter batch) {
        return apply(index, java.util.Arrays.copyOfRange(data, offset, offset + length), batch);
    }

    /**
     * Every command of the batch is applied: anything kept back to be written once per batch
     * (records several commands of the batch changed) goes into {@code batch} now, before the
     * node writes it.
     */
    default void finishBatch(StateWriter batch) {
    }

    /**
     * The batch holding everything applied through {@code appliedIndex} is written: effects
     * that must not be seen before they are durable (watch events) may go out now.
     */
    default void batchWritten(long appliedIndex) {
    }

    /** The state was replaced by an installed snapshot: drop any cached view of it. */
    default void restored(long index) {
    }
}
