package io.kvorum.client;

import java.time.Duration;
import java.util.Objects;

/**
 * One operation of a {@code multi}: all of a multi's operations apply atomically, or none do.
 * Create them with the static factories.
 */
public sealed interface Op {
    /** The path the operation is about. */
    String path();

    /** Fails the multi unless {@code path} exists with {@code expectedVersion} (-1: any version). */
    static Check check(String path, long expectedVersion) {
        return new Check(path, expectedVersion);
    }

    /** Creates a persistent node. */
    static Create create(String path, byte[] data) {
        return new Create(path, data, CreateMode.PERSISTENT, null, null);
    }

    /** Creates a node; ephemeral modes use the client's session. */
    static Create create(String path, byte[] data, CreateMode mode) {
        return new Create(path, data, mode, null, null);
    }

    /** Sets data when the node has {@code expectedVersion} (-1: any version). */
    static SetData set(String path, byte[] data, long expectedVersion) {
        return new SetData(path, data, expectedVersion);
    }

    /** Deletes the node when it has {@code expectedVersion} (-1: any version). */
    static Delete delete(String path, long expectedVersion) {
        return new Delete(path, expectedVersion);
    }

    record Check(String path, long expectedVersion) implements Op {
        public Check {
            Objects.requireNonNull(path, "path");
        }
    }

    /**
     * @param session the owning session for ephemeral modes; null uses the client's session
     * @param ttl the TTL for TTL modes, else null
     */
    record Create(String path, byte[] data, CreateMode mode, Session session, Duration ttl) implements Op {
        public Create {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(mode, "mode");
            data = data == null ? new byte[0] : data;
        }

        /** This create owned by {@code session}. */
        public Create withSession(Session session) {
            return new Create(path, data, mode, session, ttl);
        }

        /** This create with a TTL (for the TTL modes). */
        public Create withTtl(Duration ttl) {
            return new Create(path, data, mode, session, ttl);
        }
    }

    record SetData(String path, byte[] data, long expectedVersion) implements Op {
        public SetData {
            Objects.requireNonNull(path, "path");
            data = data == null ? new byte[0] : data;
        }
    }

    record Delete(String path, long expectedVersion) implements Op {
        public Delete {
            Objects.requireNonNull(path, "path");
        }
    }
}
