package io.kvorum.client;

/**
 * Receives a watch's events. Calls for one watch never overlap and come in revision order, on
 * a client thread (not the caller's): a slow listener delays only its own watch.
 */
public interface WatchListener {
    /** A change, delivered once, in order, across reconnections. */
    void onEvent(WatchEvent event);

    /**
     * The watch ended for good: with a {@link CompactedException} when the revisions it needed
     * are no longer kept (read the current state and watch again), or with the server's error for
     * a watch it refused. Not called after {@link Watch#cancel()}.
     */
    default void onError(KvorumException error) {
    }

    /** Nothing changed for this watch up to {@code revision}: the watch is caught up to it. */
    default void onProgress(long revision) {
    }
}
