package io.kvorum.server.node;

import io.kvorum.server.raft.Role;
import io.kvorum.server.storage.StoreMetrics;

/**
 * Where a {@link RaftNode} reports events that no status field or counter shows. Called on
 * the node's loop and apply threads (and {@link #proposalReceived} by proposers): an
 * implementation must only record numbers, never block or take locks another thread holds
 * for long. Everything a scrape can read from {@link NodeStatus} or the transport's counters
 * is read there instead, so the loop pays nothing for it.
 */
public interface NodeMetrics extends StoreMetrics {
    /** Reports nothing. */
    NodeMetrics NONE = new NodeMetrics() {
    };

    /** A client proposal was handed to the node. */
    default void proposalReceived() {
    }

    /** The core refused a proposal (not the leader, a transfer in progress, too much in flight). */
    default void proposalFailed() {
    }

    /** Proposals of this node were applied and their callers answered. */
    default void proposalsCommitted(int count) {
    }

    /** Proposals whose callers stopped waiting (deadline, shutdown) before they were applied. */
    default void proposalsDropped(int count) {
    }

    /** The core's soft state changed: its role or the leader it knows. */
    default void softState(Role role, long leaderId) {
    }

    /** This node recorded its state as its latest snapshot. */
    default void snapshotTaken(long nanos) {
    }

    /** This node made a checkpoint of its state ({@code bytes} of files) to send a follower. */
    default void checkpointMadeToSend(long nanos, long bytes) {
    }

    /** This node installed a snapshot received from the leader. */
    default void snapshotInstalled(long nanos, long bytes) {
    }
}
