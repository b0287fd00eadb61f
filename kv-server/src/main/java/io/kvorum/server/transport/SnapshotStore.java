package io.kvorum.server.transport;

import io.kvorum.server.raft.SnapshotMeta;
import java.nio.file.Path;

/**
 * Where snapshot files live on disk, as far as the transport is concerned. The storage layer
 * implements it; the transport only reads the sending side and writes the receiving side.
 */
public interface SnapshotStore {

    /**
     * The directory holding the snapshot described by {@code meta} (a RocksDB checkpoint):
     * every regular file under it, recursively, is sent. It must not change while a transfer
     * of it may be running.
     */
    Path directoryFor(SnapshotMeta meta);

    /**
     * Where to stage a snapshot received from node {@code from}. It must be a distinct
     * directory per (from, meta.index(), meta.term()) and must survive a restart of this
     * node: that is what lets an interrupted transfer resume instead of starting over. The
     * transport creates it if needed, removes files that do not belong to the snapshot being
     * received, and never deletes the directory itself. Once the SNAPSHOT message was
     * delivered the directory belongs to the node, which installs and removes it (or removes
     * it if the core rejects the snapshot); staging directories of abandoned transfers are
     * the store's to clean up.
     */
    Path stagingDirFor(long from, SnapshotMeta meta);
}
