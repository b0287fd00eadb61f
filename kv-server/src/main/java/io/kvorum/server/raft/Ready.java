package io.kvorum.server.raft;

import java.util.List;

/**
 * What the node must do for the core, handed out by {@link RaftCore#ready()}. The contract:
 * <ol>
 *   <li>{@link #messages()} may be sent at once, in parallel with persistence: they promise
 *       nothing about this node's disk (the leader's appends and heartbeats, for instance).</li>
 *   <li>Persist {@link #snapshot()} (if not null, after installing its data), then
 *       {@link #entries()} (replacing any stored entries from the first one's index on) and
 *       {@link #hardState()} (if not null), atomically, and synced when {@link #mustSync()}.</li>
 *   <li>Only then send {@link #messagesAfterPersist()}: vote grants and append acknowledgements
 *       promise durable state (REFERENCES §5).</li>
 *   <li>Apply {@link #committedEntries()} in order; all of them are durable once step 2 is done.
 *       Serve each {@link ReadState} once the applied index reaches its index.</li>
 *   <li>Call {@link RaftCore#advance(Ready)}.</li>
 * </ol>
 * Between {@code ready()} and {@code advance()} the node may keep calling {@code step},
 * {@code tick} and {@code propose}; the core hands out no further Ready until advance.
 */
public record Ready(SoftState softState, HardState hardState, List<Entry> entries,
                    SnapshotMeta snapshot, List<Entry> committedEntries, List<Message> messages,
                    List<Message> messagesAfterPersist, List<ReadState> readStates) {

    /** Whether persistence must reach the disk before step 3 (anything durable changed). */
    public boolean mustSync() {
        return !entries.isEmpty() || snapshot != null || hardState != null;
    }

    /** Whether the node has nothing to do for this Ready. */
    public boolean isEmpty() {
        return softState == null && hardState == null && entries.isEmpty() && snapshot == null
                && committedEntries.isEmpty() && messages.isEmpty() && messagesAfterPersist.isEmpty()
                && readStates.isEmpty();
    }
}
