package io.kvorum.server.transport;

import io.kvorum.server.raft.SnapshotMeta;
import java.nio.file.Path;

/** Snapshots under {@code root/snapshots/index-term}, staging under {@code root/staging/from-index-term}. */
record DirSnapshotStore(Path root) implements SnapshotStore {
    @Override
    public Path directoryFor(SnapshotMeta meta) {
        return root.resolve("snapshots").resolve(meta.index() + "-" + meta.term());
    }

    @Override
    public Path stagingDirFor(long from, SnapshotMeta meta) {
        return root.resolve("staging").resolve(from + "-" + meta.index() + "-" + meta.term());
    }
}
