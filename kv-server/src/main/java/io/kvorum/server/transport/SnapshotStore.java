package io.kvorum.server.transport;

import io.kvorum.server.raft.SnapshotMeta;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Where snapshot files live on disk, as far as the transport is concerned. The storage layer
 * implements it; the transport only reads the sending side and writes the receiving side.
 */
public interface SnapshotStore {

    /**
     * Makes the data of a snapshot covering at least {@code requested} ready to send, on the
     * sender's own thread: a RocksDB checkpoint, every regular file under whose directory,
     * recursively, is sent, with the metadata it returns (at or past {@code requested}: the
     * store's state is the snapshot, and a copy of it is made when a follower needs one). The
     * files must not change until the caller closes it, which it does once the transfer ended.
     *
     * @throws IOException if the checkpoint could not be made
     */
    OutgoingSnapshot prepareToSend(SnapshotMeta requested) throws IOException;

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
