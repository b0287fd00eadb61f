package io.kvorum.client;

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
    public enum Type {
        CREATED,
        CHANGED,
        DELETED,
        /** The set of children of {@code path} changed (a child was created or deleted). */
        CHILDREN_CHANGED
    }
}
