package io.kvorum.server.raft;

import java.util.List;

/**
 * Durable log as the core reads it, in the spirit of etcd-io/raft's Storage. The node layer
 * owns writes (persisting each {@link Ready}) and compaction; the core only reads. Entries are
 * numbered from 1; {@code firstIndex() - 1} is the index of the latest snapshot (0 if none).
 */
public interface RaftStorage {
    /** Hard state and membership persisted so far. */
    InitialState initialState();

    /**
     * Entries in {@code [lo, hi)}, at most {@code maxBytes} of them by {@link Entry#sizeBytes()}
     * but always at least one when the range is not empty.
     *
     * @throws CompactedException when {@code lo < firstIndex()}
     */
    List<Entry> entries(long lo, long hi, long maxBytes);

    /**
     * Term of the entry at {@code index}; valid for {@code firstIndex()-1 <= index <= lastIndex()}
     * (the first of those is the snapshot's term).
     *
     * @throws CompactedException when {@code index < firstIndex() - 1}
     */
    long term(long index);

    long firstIndex();

    long lastIndex();

    /** The latest snapshot's metadata; {@link SnapshotMeta#EMPTY} if there is none. */
    SnapshotMeta snapshot();
}
