package io.kvorum.proto.snapshot;

import java.io.IOException;

/** A snapshot file that is truncated, corrupt, or of a format this build does not read. */
public final class SnapshotFileException extends IOException {
    public SnapshotFileException(String message) {
        super(message);
    }
}
