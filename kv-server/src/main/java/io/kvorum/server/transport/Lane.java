package io.kvorum.server.transport;

import io.kvorum.server.raft.MessageType;

/**
 * The two streams each node keeps open to each peer, each on its own TCP connection.
 *
 * <p>Why: a heartbeat queued behind a 4 MiB append, or behind megabytes already sitting in a
 * socket buffer, can arrive later than an election timeout on a loaded or long-distance link,
 * and a leader that loses its followers under load is an election caused by load, not failure
 * (hashicorp/raft sends heartbeats apart from appends for this reason). HTTP/2 streams on one
 * connection would still share the socket buffer and the connection-level flow-control window,
 * so the small messages that keep leadership alive get a connection of their own. Snapshots use a third path (their own
 * RPC on the bulk connection, on their own thread), so they never delay either lane's queue.
 *
 * <p>The price: the lanes are not ordered with respect to each other. Raft tolerates that (it
 * tolerates any reordering): every message type in {@link #PRIORITY} is small and
 * term-guarded, and a heartbeat's commit index never exceeds what the follower has already
 * acknowledged (etcd's rule), so a heartbeat overtaking an append is harmless.
 */
public enum Lane {
    /** Small, latency-critical messages: heartbeats, votes, leadership transfer, ReadIndex. */
    PRIORITY,
    /** Everything that carries or answers log entries. */
    BULK;

    /** The lane a message travels on. SNAPSHOT never travels on a lane (see PeerTransport). */
    public static Lane of(MessageType type) {
        return switch (type) {
            case HEARTBEAT, HEARTBEAT_RESPONSE, PRE_VOTE, PRE_VOTE_RESPONSE, VOTE, VOTE_RESPONSE,
                    TIMEOUT_NOW, READ_INDEX, READ_INDEX_RESPONSE -> PRIORITY;
            case APPEND, APPEND_RESPONSE, PROPOSE, SNAPSHOT -> BULK;
        };
    }
}
