package io.kvorum.client;

import java.util.Objects;

/**
 * A change seen by a watch. Events arrive in revision order without gaps; several events can
 * share a revision (a multi, or a child's creation and its parent's children change).
 *
 * @param type what happened
 * @param path the node it happened to
 * @param data the node's data after the change (CREATED, CHANGED); empty otherwise
 * @param stat the node's stat after the change; null for DELETED
 * @param revision the revision of the write that caused it
 */
public record WatchEvent(Type type, String path, byte[] data, Stat stat, long revision) {
    /** Equal when every field is, the data compared by its bytes. */
    @Override
    public boolean equals(Object o) {
        return o instanceof WatchEvent e && type == e.type && path.equals(e.path) && Bytes.equal(data, e.data)
                && Objects.equals(stat, e.stat) && revision == e.revision;
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, path, Bytes.hash(data), stat, revision);
    }

    @Override
    public String toString() {
        return "WatchEvent[type=" + type + ", path=" + path + ", data=" + Bytes.show(data) + ", stat=" + stat
                + ", revision=" + revision + "]";
    }

    public enum Type {
        CREATED,
        CHANGED,
        DELETED,
        /** The set of children of {@code path} changed (a child was created or deleted). */
        CHILDREN_CHANGED
    }
}
