package io.kvorum.server.transport;

import io.kvorum.server.raft.Message;
import java.util.List;

/**
 * Where the transport hands what it learns to the node. Every method is called from transport
 * or gRPC threads, possibly concurrently, and never from inside {@link PeerTransport#send}.
 * {@link #onMessages} only hands messages over; the transport follows every call of it, on
 * the same thread, with {@link #onMessagesDelivered}, once for a whole round of deliveries,
 * and that is where the node may work on them. The other methods should only enqueue into the
 * node's loop and must not block.
 */
public interface MessageHandler {

    /**
     * Raft messages addressed to this node, in the order their sender sent them on one lane
     * (see {@link Lane}; the two lanes are not ordered with respect to each other). A SNAPSHOT
     * message arrives only once all of its files are staged, checksummed and synced in
     * {@link SnapshotStore#stagingDirFor}; the list is never empty.
     */
    void onMessages(List<Message> received);

    /**
     * The thread that called {@link #onMessages} has delivered everything it had: for peer
     * streams, every frame one round of reads on the peers' event loop brought in, from
     * any peer. Runs on that thread, which may block here (for a synced write, say): on the
     * peers' event loop, which serves nothing but peer connections, that holds back every
     * peer frame in and out until it returns, and a snapshot's delivery thread has nothing
     * else to do.
     */
    default void onMessagesDelivered() {
    }

    /**
     * Messages to {@code peer} were lost: a stream to it failed, or its queue was full. The core
     * should stop pipelining to it (probe). Rate-limited per peer.
     */
    void onUnreachable(long peer);

    /**
     * {@code peer}'s stream to us ended abruptly: its process died (the OS reset the
     * connection) or it closed its transport. Not called for partitions or pauses, which leave
     * connections open. Rate: once per stream.
     */
    default void onPeerGone(long peer) {
    }

    /**
     * The outcome of a SNAPSHOT message passed to {@link PeerTransport#send}: {@code ok} when
     * the peer verified every file and handed the message to its node, {@code false} when the
     * transfer gave up (the peer keeps its staged bytes, so the next attempt resumes).
     */
    void onSnapshotSent(long peer, boolean ok);
}
