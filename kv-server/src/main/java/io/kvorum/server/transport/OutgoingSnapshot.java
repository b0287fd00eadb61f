package io.kvorum.server.transport;

import io.kvorum.server.raft.SnapshotMeta;
import java.nio.file.Path;

/**
 * A snapshot made ready to send ({@link SnapshotStore#prepareToSend}): the directory of its
 * files and the metadata that describes them. Closing it tells the store the transfer ended,
 * so it may delete the files.
 */
public record OutgoingSnapshot(Path directory, SnapshotMeta meta, Runnable onClose) implements AutoCloseable {
    @Override
    public void close() {
        onClose.run();
    }
}
