package io.kvorum.client;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * One operation of a {@code multi}: all of a multi's operations apply atomically, or none do.
 * Create them with the static factories.
 */
public sealed interface Op {
    /** The path the operation is about. */
    String path();

    /** Fails the multi unless {@code path} exists with {@code expectedVersion} ({@link KvorumClient#ANY_VERSION}: any version). */
    static Check check(String path, long expectedVersion) {
        return new Check(path, expectedVersion);
    }

    /** Creates a persistent node. */
    static Create create(String path, byte[] data) {
        return new Create(path, data, CreateMode.PERSISTENT, null, null);
    }

    /** Creates a persistent node holding {@code data} in UTF-8. */
    static Create create(String path, String data) {
        return create(path, data.getBytes(StandardCharsets.UTF_8));
    }

    /** Creates a node; ephemeral modes use the client's session. */
    static Create create(String path, byte[] data, CreateMode mode) {
        return new Create(path, data, mode, null, null);
    }

    /** Sets data when the node has {@code expectedVersion} ({@link KvorumClient#ANY_VERSION}: any version). */
    static SetData set(String path, byte[] data, long expectedVersion) {
        return new SetData(path, data, expectedVersion);
    }

    /** Sets {@code data} in UTF-8 when the node has {@code expectedVersion}. */
    static SetData set(String path, String data, long expectedVersion) {
        return set(path, data.getBytes(StandardCharsets.UTF_8), expectedVersion);
    }

    /** Deletes the node when it has {@code expectedVersion} ({@link KvorumClient#ANY_VERSION}: any version). */
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

        @Override
        public boolean equals(Object o) {
            return o instanceof Create c && path.equals(c.path) && Bytes.equal(data, c.data) && mode == c.mode
                    && Objects.equals(session, c.session) && Objects.equals(ttl, c.ttl);
        }

        @Override
        public int hashCode() {
            return Objects.hash(path, Bytes.hash(data), mode, session, ttl);
        }

        @Override
        public String toString() {
            return "Create[path=" + path + ", data=" + Bytes.show(data) + ", mode=" + mode
                    + (session == null ? "" : ", session=" + session) + (ttl == null ? "" : ", ttl=" + ttl) + "]";
        }
    }

    record SetData(String path, byte[] data, long expectedVersion) implements Op {
        public SetData {
            Objects.requireNonNull(path, "path");
            data = data == null ? new byte[0] : data;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof SetData d && path.equals(d.path) && Bytes.equal(data, d.data)
                    && expectedVersion == d.expectedVersion;
        }

        @Override
        public int hashCode() {
            return Objects.hash(path, Bytes.hash(data), expectedVersion);
        }

        @Override
        public String toString() {
            return "SetData[path=" + path + ", data=" + Bytes.show(data) + ", expectedVersion=" + expectedVersion + "]";
        }
    }

    record Delete(String path, long expectedVersion) implements Op {
        public Delete {
            Objects.requireNonNull(path, "path");
        }
    }
}
