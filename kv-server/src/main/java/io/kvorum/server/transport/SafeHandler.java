package io.kvorum.server.transport;

import io.kvorum.server.raft.Message;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's handler as the transport calls it: a handler that throws must not kill a stream
 * or a sender thread, and once the transport is closed no new callback may start (the node is
 * tearing down the loop they would enqueue into).
 */
final class SafeHandler implements MessageHandler {
    private static final Logger log = LoggerFactory.getLogger(SafeHandler.class);

    private final MessageHandler delegate;
    private volatile boolean closed;

    SafeHandler(MessageHandler delegate) {
        this.delegate = delegate;
    }

    void close() {
        closed = true;
    }

    @Override
    public void onMessages(List<Message> received) {
        if (closed) {
            return;
        }
        try {
            delegate.onMessages(received);
        } catch (RuntimeException e) {
            log.error("MessageHandler.onMessages threw; {} messages lost", received.size(), e);
        }
    }

    @Override
    public void onMessagesDelivered() {
        if (closed) {
            return;
        }
        try {
            delegate.onMessagesDelivered();
        } catch (RuntimeException e) {
            log.error("MessageHandler.onMessagesDelivered threw", e);
        }
    }

    @Override
    public void onUnreachable(long peer) {
        if (closed) {
            return;
        }
        try {
            delegate.onUnreachable(peer);
        } catch (RuntimeException e) {
            log.error("MessageHandler.onUnreachable({}) threw", peer, e);
        }
    }

    @Override
    public void onPeerGone(long peer) {
        if (closed) {
            return;
        }
        try {
            delegate.onPeerGone(peer);
        } catch (RuntimeException e) {
            log.error("MessageHandler.onPeerGone({}) threw", peer, e);
        }
    }

    @Override
    public void onSnapshotSent(long peer, boolean ok) {
        if (closed) {
            return;
        }
        try {
            delegate.onSnapshotSent(peer, ok);
        } catch (RuntimeException e) {
            log.error("MessageHandler.onSnapshotSent({}, {}) threw", peer, ok, e);
        }
    }
}
