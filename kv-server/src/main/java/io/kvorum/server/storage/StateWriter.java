package io.kvorum.server.storage;

/**
 * The changes the state machine makes while applying one batch of committed entries. None is
 * visible until the node writes the batch, and then all are, together with the new applied
 * index. {@link StateBatch} implements it over a RocksDB WriteBatch; the {@code state} package
 * depends on this interface only.
 */
public interface StateWriter {
    StateWriter put(byte[] key, byte[] value);

    StateWriter delete(byte[] key);

    /** Deletes every key in {@code [from, to)}. */
    StateWriter deleteRange(byte[] from, byte[] to);
}
