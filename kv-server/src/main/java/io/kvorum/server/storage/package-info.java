/**
 * A node's durable storage in one RocksDB: the Raft log and hard state, the state machine's
 * data with the applied index that describes it, and snapshots as RocksDB checkpoints.
 *
 * <p>{@link io.kvorum.server.storage.NodeStore} is the whole public surface; it implements
 * {@link io.kvorum.server.raft.RaftStorage} for the core. The node calls it in this order:
 * <ol>
 *   <li>for a Ready with a snapshot: {@code installSnapshot(meta, receivedCheckpoint)};</li>
 *   <li>{@code persist(ready)}: snapshot meta, entries and hard state, one synced WriteBatch;</li>
 *   <li>send the messages that promise durability;</li>
 *   <li>{@code applyBatch(index, conf, changes)} for committed entries, in order;</li>
 *   <li>periodically {@code createSnapshot(dir)} then {@code compact(upTo <= snapshot index)}.</li>
 * </ol>
 *
 * <p>What survives a crash at any point: everything a synced persist wrote; the state exactly as
 * of the stored applied index (never ahead of it, never behind it); after an interrupted snapshot
 * install, either the old state and log or the new ones. A store that fails any check at open
 * (identity, format, checksums, log contiguity, index invariants) is refused with a message
 * naming the path and what differs, never repaired silently. The package imports only
 * {@code io.kvorum.server.raft}, RocksDB, the JDK and slf4j.
 */
package io.kvorum.server.storage;
