package io.kvorum.client;

import java.nio.charset.StandardCharsets;

/**
 * A node as read: its data and stat.
 *
 * @param path the node's path
 * @param data the node's data (the caller may keep it; nobody else holds it)
 * @param stat the node's metadata
 * @param revision the revision of the state the read reflects
 */
public record NodeData(String path, byte[] data, Stat stat, long revision) {
    /** The data decoded as UTF-8. */
    public String dataAsString() {
        return new String(data, StandardCharsets.UTF_8);
    }
}
