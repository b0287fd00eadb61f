package io.kvorum.server.storage;

/**
 * Where a {@link NodeStore} reports the time of its writes. Called on the writing thread (the
 * node's loop) while holding the store's locks: implementations must only record a number.
 */
public interface StoreMetrics {
    /** Reports nothing. */
    StoreMetrics NONE = new StoreMetrics() {
    };

    /** A synced WriteBatch of the raft log (one fsync) took {@code nanos}. */
    default void syncedWrite(long nanos) {
    }

    /** Writing one apply batch (state changes and the applied index) took {@code nanos}. */
    default void applyBatch(long nanos) {
    }
}
