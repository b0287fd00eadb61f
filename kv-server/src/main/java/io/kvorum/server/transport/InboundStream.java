package io.kvorum.server.transport;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.kvorum.proto.peer.v1.RaftBatch;
import io.kvorum.proto.peer.v1.RaftMessage;
import io.kvorum.proto.peer.v1.StreamAck;
import io.kvorum.server.raft.Message;
import io.kvorum.server.raft.MessageType;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One peer's Stream call as received: decodes each frame and hands its messages to the node in
 * order. gRPC delivers one frame at a time per call, which is what keeps them in order.
 *
 * <p>A message that cannot be decoded, or claims to be from another node than the caller, or
 * is addressed to another node, or is a SNAPSHOT (whose data must come with it), is dropped
 * and counted rather than failing the whole stream: raft recovers from a lost message, and the
 * rest of the frame is still good.
 */
final class InboundStream implements StreamObserver<RaftBatch> {
    private static final Logger log = LoggerFactory.getLogger(InboundStream.class);

    private final long selfId;
    private final long from;
    private final MessageHandler handler;
    private final TransportStats stats;
    private final StreamObserver<StreamAck> responses;
    private final PeerEventLoop loop;

    InboundStream(long selfId, long from, MessageHandler handler, TransportStats stats,
                  StreamObserver<StreamAck> responses, PeerEventLoop loop) {
        this.loop = loop;
        this.selfId = selfId;
        this.from = from;
        this.handler = handler;
        this.stats = stats;
        this.responses = responses;
    }

    @Override
    public void onNext(RaftBatch batch) {
        stats.framesReceived.increment();
        List<Message> messages = new ArrayList<>(batch.getMessagesCount());
        for (RaftMessage p : batch.getMessagesList()) {
            Message m;
            try {
                m = MessageCodec.decode(p);
            } catch (IllegalArgumentException e) {
                reject("undecodable message from node " + from + ": " + e.getMessage());
                continue;
            }
            if (m.from() != from || m.to() != selfId) {
                reject("message " + m + " arrived on node " + from + "'s stream to node " + selfId);
            } else if (m.type() == MessageType.SNAPSHOT) {
                reject("SNAPSHOT message from node " + from + " without its data; snapshots use InstallSnapshot");
            } else {
                if (m.type() == MessageType.HEARTBEAT_RESPONSE) {
                    stats.heartbeatAnswered(from);
                }
                messages.add(m);
            }
        }
        if (!messages.isEmpty()) {
            stats.messagesReceived.add(messages.size());
            handler.onMessages(messages);
            loop.delivered();
        }
    }

    private void reject(String why) {
        stats.messagesRejected.increment();
        log.warn("dropped: {}", why);
    }

    @Override
    public void onError(Throwable t) {
        log.debug("stream from node {} ended: {}", from, Status.fromThrowable(t));
        handler.onPeerGone(from);
    }

    @Override
    public void onCompleted() {
        try {
            responses.onCompleted();
        } catch (RuntimeException e) {
            log.debug("stream from node {} already closed", from, e);
        }
    }
}
