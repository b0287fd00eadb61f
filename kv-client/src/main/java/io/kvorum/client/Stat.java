package io.kvorum.client;

import java.time.Duration;

/**
 * A node's metadata.
 *
 * @param createRevision the revision of the write that created the node (a lock's fencing token)
 * @param modRevision the revision of the last write to the node's data
 * @param version the number of changes to the data since creation
 * @param childrenVersion the number of changes to the set of children
 * @param ephemeralOwner the owning session's id for ephemeral nodes, else 0
 * @param dataLength bytes of data
 * @param numChildren number of children
 * @param ctimeMillis creation time, ms since the epoch (the proposing node's clock)
 * @param mtimeMillis last data change, ms since the epoch
 * @param mode how the node was created
 * @param ttl for TTL nodes, how long unmodified and childless before deletion; else zero
 */
public record Stat(long createRevision, long modRevision, long version, long childrenVersion, long ephemeralOwner,
                   int dataLength, int numChildren, long ctimeMillis, long mtimeMillis, CreateMode mode,
                   Duration ttl) {
}
