package io.kvorum.client;

/**
 * A running watch. It survives node failures by itself: when its stream breaks it is
 * re-created on another node from the revision after the last one it delivered, so its
 * listener sees every event once, in order. It ends only when cancelled, when the client
 * closes, or with {@link WatchListener#onError} (e.g. the revisions it needs were compacted).
 */
public interface Watch extends AutoCloseable {
    WatchSpec spec();

    /** The highest revision delivered to the listener (or confirmed by a progress notification); 0 before any. */
    long lastRevision();

    /** Whether the watch still runs. */
    boolean isActive();

    /** Stops the watch; its listener gets nothing after this returns. */
    void cancel();

    /** Same as {@link #cancel()}. */
    @Override
    default void close() {
        cancel();
    }
}
