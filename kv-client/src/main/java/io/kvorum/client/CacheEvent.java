package io.kvorum.client;

/**
 * A change to a {@link KvorumCache}'s contents.
 *
 * @param type what happened
 * @param path the node
 * @param oldData the node before (null for CREATED)
 * @param newData the node after (null for DELETED)
 * @param revision the revision of the change
 */
public record CacheEvent(Type type, String path, NodeData oldData, NodeData newData, long revision) {
    /** What happened to the node. */
    public enum Type {
        /** It appeared (or came back after a deletion). */
        CREATED,
        /** Its data changed. */
        CHANGED,
        /** It was deleted. */
        DELETED
    }
}
