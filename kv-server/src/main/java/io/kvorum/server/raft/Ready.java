package io.kvorum.server.raft;

import java.util.List;

/**
 * What the node must do for the core, handed out by {@link RaftCore#ready()}. The contract:
 * <ol>
 *   <li>{@link #messages()} may be sent at once, in parallel with persistence: they promise
 *       nothing about this node's disk (the leader's appends and heartbeats, for instance).</li>
 *   <li>Persist {@link #snapshot()} (if not null, after installing its data), then
 *       {@link #entries()} (replacing any stored entries from the first one's index on) and
 *       {@link #hardState()} (if not null), atomically, and synced when {@link #mustSync()}:
 *       new entries, a snapshot, or a new term or vote. A hard state that only moves the
 *       commit index is written unsynced (a lost commit index is learned again from the
 *       leader), in order before the apply batch that depends on it.</li>
 *   <li>Only then send {@link #messagesAfterPersist()}: vote grants and append acknowledgements
 *       promise durable state: answering before the write is durable loses votes and acked
 *       entries in a crash (etcd-io/etcd#7317, hashicorp/raft#661).</li>
 *   <li>Apply {@link #committedEntries()} in order; all of them are durable once step 2 is done.
 *       Serve each {@link ReadState} once the applied index reaches its index.</li>
 *   <li>Call {@link RaftCore#advance(Ready)}.</li>
 * </ol>
 * Between {@code ready()} and {@code advance()} the node may keep calling {@code step},
 * {@code tick} and {@code propose}; the core hands out no further Ready until advance.
 */
public record Ready(SoftState softState, HardState hardState, List<Entry> entries,
                    SnapshotMeta snapshot, List<Entry> committedEntries, List<Message> messages,
                    List<Message> messagesAfterPersist, List<ReadState> readStates, boolean mustSync) {

    /**
     * A Ready whose persistence is synced whenever it writes anything (for callers that
     * build one by hand, such as bootstrap).
     */
    public Ready(SoftState softState, HardState hardState, List<Entry> entries, SnapshotMeta snapshot,
                 List<Entry> committedEntries, List<Message> messages, List<Message> messagesAfterPersist,
                 List<ReadState> readStates) {
        this(softState, hardState, entries, snapshot, committedEntries, messages, messagesAfterPersist, readStates,
                !entries.isEmpty() || snapshot != null || hardState != null);
    }

    /** Whether the node has nothing to do for this Ready. */
    public boolean isEmpty() {
        return softState == null && hardState == null && entries.isEmpty() && snapshot == null
                && committedEntries.isEmpty() && messages.isEmpty() && messagesAfterPersist.isEmpty()
                && readStates.isEmpty();
    }
}
