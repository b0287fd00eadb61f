package io.kvorum.server.transport;

import io.kvorum.server.raft.SnapshotMeta;
import java.nio.file.Path;

/**
 * Snapshots under {@code root/snapshots/index-term}, written there by the test and sent as
 * they are (with the metadata asked for), staging under {@code root/staging/from-index-term}.
 */
record DirSnapshotStore(Path root) implements SnapshotStore {
    /** Where the test puts the files of the snapshot {@code meta}. */
    Path directoryFor(SnapshotMeta meta) {
        return root.resolve("snapshots").resolve(meta.index() + "-" + meta.term());
    }

    @Override
    public OutgoingSnapshot prepareToSend(SnapshotMeta requested) {
        return new OutgoingSnapshot(directoryFor(requested), requested, () -> { });
    }

    @Override
    public Path stagingDirFor(long from, SnapshotMeta meta) {
        return root.resolve("staging").resolve(from + "-" + meta.index() + "-" + meta.term());
    }
}
