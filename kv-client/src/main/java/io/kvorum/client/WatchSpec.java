package io.kvorum.client;

import java.util.Objects;

/**
 * What to watch.
 *
 * @param path the node watched
 * @param recursive false: the node itself and its set of children (CREATED, CHANGED, DELETED of
 *                  the node, CHILDREN_CHANGED); true: every node of the subtree under it
 * @param startRevision deliver events from this revision on (inclusive); 0 means from now. Use
 *                      a read's revision + 1 to miss nothing after that read.
 */
public record WatchSpec(String path, boolean recursive, long startRevision) {
    public WatchSpec {
        Objects.requireNonNull(path, "path");
        if (startRevision < 0) {
            throw new IllegalArgumentException("startRevision must be >= 0, not " + startRevision);
        }
    }

    /** The node and its set of children, from now. */
    public static WatchSpec node(String path) {
        return new WatchSpec(path, false, 0);
    }

    /** Every node under {@code path} (and it), from now. */
    public static WatchSpec subtree(String path) {
        return new WatchSpec(path, true, 0);
    }

    /** This watch from {@code revision} on (inclusive). */
    public WatchSpec fromRevision(long revision) {
        return new WatchSpec(path, recursive, revision);
    }
}
