package io.kvorum.client;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

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

    /** Equal when path, stat and revision are equal and the data has the same bytes. */
    @Override
    public boolean equals(Object o) {
        return o instanceof NodeData n && path.equals(n.path) && Bytes.equal(data, n.data) && Objects.equals(stat, n.stat)
                && revision == n.revision;
    }

    @Override
    public int hashCode() {
        return Objects.hash(path, Bytes.hash(data), stat, revision);
    }

    @Override
    public String toString() {
        return "NodeData[path=" + path + ", data=" + Bytes.show(data) + ", stat=" + stat + ", revision=" + revision
                + "]";
    }
}
