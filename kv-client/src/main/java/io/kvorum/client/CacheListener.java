package io.kvorum.client;

/**
 * Hears a {@link KvorumCache}'s changes. Calls never overlap and come in revision order, on a
 * client thread.
 */
public interface CacheListener {
    /** A node was created, changed or deleted (after the cache was initialized). */
    void changed(CacheEvent event);

    /** The initial load is complete and caught up with the watch: the cache is current. */
    default void initialized() {
    }

    /** The cache stopped following the cluster (its watch failed with something other than compaction). */
    default void failed(KvorumException error) {
    }
}
