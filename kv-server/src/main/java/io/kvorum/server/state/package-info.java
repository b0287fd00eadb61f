/**
 * The coordination data model: a ZooKeeper-like tree of znodes with sessions, ephemeral,
 * sequential, container and TTL nodes, a cluster-wide revision with a watch history, and
 * exactly-once writes, applied from the Raft log by
 * {@link io.kvorum.server.state.CoordinationState}.
 *
 * <h2>Key layout (state column family, format 1)</h2>
 * Every key starts with a one-byte ASCII tag (a zero byte is reserved for the node). Numbers are
 * 8-byte big-endian, so bytewise order is numeric order. {@code P} is a path's parent, {@code N}
 * its last segment, both UTF-8; paths never contain a zero byte.
 * <pre>
 * 'n' P 0x00 N          -> node record: stat, per-parent sequence counter, data if &lt;= 1 KiB
 * 'n' 0x00              -> the root's record (absent until the root is first written)
 * 'v' P 0x00 N          -> the node's data, when over 1 KiB (kept apart so that updating a
 *                          parent's stat never rewrites a large value)
 * 'e' session path      -> (empty) ephemeral index: one session's nodes are one prefix range
 * 't' expireAt path     -> modRevision; childless TTL nodes by mtime + ttl (sign-flipped so
 *                          the order is numeric): due nodes are one range read
 * 's' session           -> ttl_millis
 * 'u' session           -> log index of the last command that renewed it (open or touch)
 * 'o' session           -> the user who opened it (UTF-8), when one did (auth on)
 * 'a' member            -> client address (UTF-8)
 * 'l' member            -> Locality (datacenter, zone) the member announced with its address
 * 'r' member            -> (empty) the member was added as an observer ('o' member with an
 *                          empty value in earlier versions: still read, deleted when unmarked)
 * 'c' len16 client      -> lastUsedIndex(8) floor(8): one exactly-once client
 * 'b' len16 client r    -> (sequence(8) length(4) CommandResult)*: the client's remembered
 *                          answers to sequences r * 64 to r * 64 + 63, rewritten once per batch
 * 'd' len16 client seq  -> one remembered CommandResult, as earlier versions stored answers
 *                          (read and deleted, never written)
 * 'h' revision          -> RevisionEvents of that revision (the watch history)
 * 'm' "revision"        -> the last applied revision
 * 'A' "auth"            -> AuthData: users (password hashes), roles, the auth switch, token key
 * </pre>
 * Because a node's key is its parent, a zero byte, then its name, the children of {@code P} are
 * exactly the keys starting with {@code 'n' P 0x00}: a listing is a range read in name order,
 * one page at a time, and never touches the rest of the tree.
 *
 * <h2>Files</h2>
 * {@code CoordinationState} (dispatch, reads, listeners), {@code TreeOps} (znode operations and
 * their indexes), {@code MultiOps}, {@code Sessions}, {@code Members}, {@code AuthStore} (users and roles), {@code Dedupe},
 * {@code History}, {@code Txn} (one command's all-or-none writes), {@code BatchOverlay}
 * (read-your-writes within one RocksDB batch), {@code Znode} (record encoding), {@code Keys},
 * {@code Paths}. The package imports storage, {@code node.StateMachine}, kv-proto, the JDK and
 * slf4j.
 */
package io.kvorum.server.state;
