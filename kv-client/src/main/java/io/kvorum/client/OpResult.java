package io.kvorum.client;

/** The result of one operation of a successful {@code multi}, in the order of the operations. */
public sealed interface OpResult {
    /** A check passed; the node's stat. */
    record Checked(Stat stat) implements OpResult {
    }

    /** A node was created. */
    record Created(String path, Stat stat) implements OpResult {
    }

    /** Data was set; the node's new stat. */
    record DataSet(Stat stat) implements OpResult {
    }

    /** A node was deleted. */
    record Deleted() implements OpResult {
    }
}
