package io.kvorum.server.storage;

/**
 * Where a {@link NodeStore} reports the time of its writes and where its log reads were served
 * from. Called on the writing or reading thread, writes while holding the store's locks:
 * implementations must only record a number.
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

    /**
     * {@code count} log entries were read back (to apply them, or to send them to a follower):
     * from the in-memory tail of recent entries, or else from RocksDB.
     */
    default void logEntriesRead(int count, boolean fromMemory) {
    }
}
