package io.kvorum.server.transport;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.kvorum.server.raft.Message;
import io.kvorum.server.tls.CertNames;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything this node keeps for sending to one peer: two connections (one per {@link Lane}),
 * a {@link StreamLane} on each, and a {@link SnapshotSender} whose calls share the bulk
 * connection (the core sends that peer no appends while its snapshot is in flight, and
 * heartbeats have their own connection). Created and closed as the configuration changes.
 */
final class RemotePeer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RemotePeer.class);

    final long id;
    final PeerAddress address;
    private final ManagedChannel priorityChannel;
    private final ManagedChannel bulkChannel;
    private final StreamLane priority;
    private final StreamLane bulk;
    private final SnapshotSender snapshots;

    RemotePeer(long selfId, String clusterId, long id, PeerAddress address, MessageHandler handler,
               SnapshotStore store, TransportConfig config, TransportStats stats, PeerEventLoop eventLoop) {
        this.id = id;
        this.address = address;
        this.priorityChannel = channel(id, address, config, eventLoop);
        this.bulkChannel = channel(id, address, config, eventLoop);
        UnreachableReporter unreachable = new UnreachableReporter(id, handler, config.unreachableReportInterval);
        this.priority = new StreamLane(selfId, id, Lane.PRIORITY, priorityChannel,
                new OutboundQueue(config.priorityQueueMessages, config.priorityQueueBytes, config.maxMessageBytes()),
                clusterId, config, stats, unreachable);
        this.bulk = new StreamLane(selfId, id, Lane.BULK, bulkChannel,
                new OutboundQueue(config.bulkQueueMessages, config.bulkQueueBytes, config.maxMessageBytes()),
                clusterId, config, stats, unreachable);
        this.snapshots = new SnapshotSender(selfId, id, bulkChannel, clusterId, store, handler, config, stats);
    }

    /**
     * A channel whose target is the peer's id: its host name is looked up when the channel
     * connects and again after each failed connection (see {@link PeerNameResolver}), so the
     * peer is followed to a new address while staying the same member. With TLS the peer's
     * certificate must name that member: host name verification checks it against the
     * authority {@link CertNames#nodeName} instead of the address dialled.
     */
    private static ManagedChannel channel(long id, PeerAddress address, TransportConfig config,
                                          PeerEventLoop eventLoop) {
        NettyChannelBuilder builder = NettyChannelBuilder.forTarget(PeerNameResolver.channelTarget(id))
                .eventLoopGroup(eventLoop.group())
                .channelType(eventLoop.channelType())
                .setNameResolverArg(PeerNameResolver.TARGET, new PeerNameResolver.Target(id, address,
                        config.hostResolver));
        if (config.tls != null) {
            builder.sslContext(config.tls.clientContext()).overrideAuthority(CertNames.nodeName(id));
        } else {
            builder.usePlaintext();
        }
        return builder
                .keepAliveTime(config.keepAliveTime.toMillis(), TimeUnit.MILLISECONDS)
                .keepAliveTimeout(config.keepAliveTimeout.toMillis(), TimeUnit.MILLISECONDS)
                // A lane may be quiet (a follower's priority lane between elections) yet must
                // notice a dead peer before it has something urgent to say.
                .keepAliveWithoutCalls(true)
                .maxInboundMessageSize(config.maxInboundMessageBytes)
                .flowControlWindow(TransportConfig.FLOW_CONTROL_WINDOW_BYTES)
                // Raft retransmits on its own terms; gRPC retrying a stream would only reorder.
                .disableRetry()
                .build();
    }

    void start() {
        priority.start();
        bulk.start();
    }

    /** Queues non-SNAPSHOT messages to this peer on their lanes, preserving order per lane. */
    void send(List<Message> messages) {
        if (messages.size() == 1) {
            laneOf(messages.get(0)).enqueue(messages);
            return;
        }
        List<Message> urgent = null;
        List<Message> rest = null;
        for (Message m : messages) {
            if (Lane.of(m.type()) == Lane.PRIORITY) {
                (urgent == null ? urgent = new ArrayList<>() : urgent).add(m);
            } else {
                (rest == null ? rest = new ArrayList<>(messages.size()) : rest).add(m);
            }
        }
        if (urgent != null) {
            priority.enqueue(urgent);
        }
        if (rest != null) {
            bulk.enqueue(rest);
        }
    }

    private StreamLane laneOf(Message m) {
        return Lane.of(m.type()) == Lane.PRIORITY ? priority : bulk;
    }

    void sendSnapshot(Message m) {
        snapshots.submit(m);
    }

    @Override
    public void close() {
        priority.close();
        bulk.close();
        snapshots.close();
        priorityChannel.shutdownNow();
        bulkChannel.shutdownNow();
        try {
            if (!priorityChannel.awaitTermination(5, TimeUnit.SECONDS)
                    || !bulkChannel.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("channels to peer {} at {} did not terminate within 5 s", id, address);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
