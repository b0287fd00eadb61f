package io.kvorum.server.node;

import io.kvorum.server.storage.CheckpointExport;
import io.kvorum.server.storage.NodeStore;
import java.nio.file.Path;
import java.util.UUID;

/**
 * This node's own storage as the operations calls use it (backups, storage compaction, the
 * space quota, the size Status reports): where it lives, how big the state is, compacting its
 * files, and consistent checkpoints of the state. Nothing here is replicated: each member acts
 * on its own files. The client API goes through this rather than the node's store, so it
 * depends on what it does with storage, never on how the store works.
 */
public final class LocalStorage {
    private final NodeStore store;

    private LocalStorage(NodeStore store) {
        this.store = store;
    }

    /** The storage of {@code node}. */
    public static LocalStorage of(RaftNode node) {
        return new LocalStorage(node.store());
    }

    /** The store's directory (its size on disk is what Status and storage compaction report). */
    public Path directory() {
        return store.path();
    }

    /**
     * About how many bytes the state machine's data takes (RocksDB's estimate, deleted data
     * included until compaction drops it): what the space quota measures.
     */
    public long stateSizeBytes() {
        return store.stateSizeBytes();
    }

    /** Compacts every file of the store now, giving the space of deleted data back. */
    public void compactFiles() {
        store.compactFiles();
    }

    /**
     * A checkpoint of the state at one applied index, taken without stopping the node, beside
     * the store's directory; closing it deletes it.
     */
    public StateCheckpoint checkpoint() {
        Path dir = store.path().resolveSibling("backup-" + UUID.randomUUID());
        return new StateCheckpoint(CheckpointExport.of(store, dir));
    }
}
