package io.kvorum.server.raft;

/**
 * A snapshot as the core sees it: the last index and term it covers and the membership at that
 * index. The state-machine data itself belongs to the node layer, which streams it.
 */
public record SnapshotMeta(long index, long term, ConfState conf) {
    public static final SnapshotMeta EMPTY = new SnapshotMeta(0, 0, ConfState.EMPTY);

    public boolean isEmpty() {
        return index == 0;
    }
}
