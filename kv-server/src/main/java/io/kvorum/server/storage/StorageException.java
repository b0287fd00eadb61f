package io.kvorum.server.storage;

/**
 * The store cannot be trusted or used: wrong cluster or node, unknown format, corrupt data,
 * or RocksDB failed. The message always says what is wrong and where (the store's path, the
 * key or log index, and expected versus found), because an operator will read it at 3 a.m.
 *
 * <p>Unchecked so that it can cross {@link io.kvorum.server.raft.RaftStorage}, whose methods
 * declare no checked exceptions. A node that sees one must stop rather than carry on: corrupt
 * storage is outside Raft's fault model (Alagappan et al., FAST'18), so nothing read from it may be
 * treated as durable.
 */
public final class StorageException extends RuntimeException {
    public StorageException(String message) {
        super(message);
    }

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
