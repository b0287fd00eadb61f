package io.kvorum.client;

import java.util.List;

/**
 * One page of a node's children, sorted by name.
 *
 * @param children the children of this page
 * @param nextPageToken pass it to get the next page; empty on the last page
 * @param revision the revision of the state this page reflects
 */
public record ChildrenPage(List<Child> children, String nextPageToken, long revision) {
    /** Whether another page follows. */
    public boolean hasNext() {
        return !nextPageToken.isEmpty();
    }

    /**
     * A child node.
     *
     * @param name the child's name (its last path segment)
     * @param stat its stat when asked for, else null
     */
    public record Child(String name, Stat stat) {
    }
}
