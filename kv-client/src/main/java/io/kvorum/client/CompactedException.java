package io.kvorum.client;

/**
 * A watch asked for a revision older than the history the cluster keeps (OUT_OF_RANGE /
 * COMPACTED). The events in between are gone: read the current state, then watch from the
 * revision of that read plus one. {@link KvorumCache} does this by itself.
 */
public class CompactedException extends KvorumException {
    private final long compactRevision;

    public CompactedException(String message, Throwable cause, String path, long compactRevision) {
        super(message, cause, "COMPACTED", path, -1);
        this.compactRevision = compactRevision;
    }

    /** The oldest revision still available, or 0 when the server did not say. */
    public long compactRevision() {
        return compactRevision;
    }
}
