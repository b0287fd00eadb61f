package io.kvorum.client;

/** How a node is created; the same modes as kvorum.proto's {@code CreateMode}. */
public enum CreateMode {
    PERSISTENT,
    /** Deleted when its session ends. Cannot have children. Needs a session. */
    EPHEMERAL,
    /** The name gets a zero-padded, increasing 10-digit suffix unique under its parent. */
    PERSISTENT_SEQUENTIAL,
    /** Sequential and ephemeral: the building block of locks and elections. Needs a session. */
    EPHEMERAL_SEQUENTIAL,
    /** Deleted once it had a child and its last child is deleted. */
    CONTAINER,
    /** Deleted when not modified for its TTL and without children. Needs a TTL. */
    PERSISTENT_WITH_TTL,
    PERSISTENT_SEQUENTIAL_WITH_TTL;

    /** Whether nodes of this mode belong to a session. */
    public boolean isEphemeral() {
        return this == EPHEMERAL || this == EPHEMERAL_SEQUENTIAL;
    }

    /** Whether nodes of this mode need a TTL. */
    public boolean needsTtl() {
        return this == PERSISTENT_WITH_TTL || this == PERSISTENT_SEQUENTIAL_WITH_TTL;
    }
}
