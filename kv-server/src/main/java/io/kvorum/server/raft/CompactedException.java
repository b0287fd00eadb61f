package io.kvorum.server.raft;

/** The requested index lies before the storage's first index: it was compacted into a snapshot. */
public final class CompactedException extends RuntimeException {
    public CompactedException(long index, long firstIndex) {
        super("index " + index + " is compacted (first index is " + firstIndex + ")");
    }
}
