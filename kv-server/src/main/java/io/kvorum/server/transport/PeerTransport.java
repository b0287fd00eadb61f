package io.kvorum.server.transport;

import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.kvorum.proto.peer.v1.PeerServiceGrpc;
import io.kvorum.server.raft.Message;
import io.kvorum.server.raft.MessageType;
import io.kvorum.server.tls.TlsOnlyNegotiator;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries raft messages between the nodes of one cluster over gRPC: a server on the peer
 * port, and for each peer two long-lived streams and a snapshot sender.
 *
 * <p><b>Sending.</b> {@link #send} never blocks: it sorts messages by peer and {@link Lane}
 * into bounded queues and returns. Per peer and lane, one thread drains its queue into its
 * stream, writing everything queued as one frame whenever gRPC's flow control says the stream
 * can take more, so batching grows by itself exactly when the peer or the network is slower
 * than the node. A full queue drops (raft retransmits) and reports the peer unreachable; a
 * broken stream is reopened with exponential back-off. SNAPSHOT messages never enter a queue:
 * on the peer's snapshot thread the store makes their data ready ({@link
 * SnapshotStore#prepareToSend}: a checkpoint at or past the index asked for, whose metadata
 * the message then carries), which is streamed, resuming where the peer's staging directory
 * left off, and the outcome is reported
 * through {@link MessageHandler#onSnapshotSent}.
 *
 * <p><b>Receiving.</b> Every call must name this cluster and this node (see
 * {@code raft_peer.proto}); peer connections have an event loop thread of their own ({@link
 * PeerEventLoop}), which decodes each frame and hands its messages to
 * {@link MessageHandler#onMessages} in the order each stream carried them, then, once per round
 * of reads, calls {@link MessageHandler#onMessagesDelivered}. A snapshot is delivered only
 * after all its files are staged, checksummed and synced.
 *
 * <p>Peer addresses are exactly those given to {@link #setPeers}; nothing is learned from
 * incoming connections. A peer is its id: its host name is looked up through
 * {@link TransportConfig#hostResolver} when its connections open and again whenever one fails,
 * so a peer restarted elsewhere under the same name is reached there. Thread-safe.
 */
public final class PeerTransport implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PeerTransport.class);

    private final long selfId;
    private final String clusterId;
    private final InetSocketAddress listen;
    private final SafeHandler handler;
    private final SnapshotStore snapshots;
    private final TransportConfig config;
    private final TransportStats stats = new TransportStats();
    /** Simulated WAN latency, off unless a benchmark script asks for it (see {@link LinkDelay}). */
    private final LinkDelay linkDelay = LinkDelay.fromSystemProperty();
    private final Map<Long, RemotePeer> peers = new ConcurrentHashMap<>();
    private final PeerEventLoop eventLoop;
    private Server server;
    private volatile boolean closed;

    /** A transport with {@link TransportConfig#defaults()}. */
    public PeerTransport(long selfId, String clusterId, InetSocketAddress listen, MessageHandler handler,
                         SnapshotStore snapshots) {
        this(selfId, clusterId, listen, handler, snapshots, TransportConfig.defaults());
    }

    /**
     * @param selfId    this node's id (positive)
     * @param clusterId the cluster's id: printable ASCII without spaces; peers must match it
     * @param listen    where to serve the peer port; port 0 picks a free one (see {@link #port()})
     * @param handler   receives messages and outcomes; see its threading rules
     * @param snapshots where snapshots are read from and staged into
     */
    public PeerTransport(long selfId, String clusterId, InetSocketAddress listen, MessageHandler handler,
                         SnapshotStore snapshots, TransportConfig config) {
        if (selfId <= 0) {
            throw new IllegalArgumentException("node id must be positive, got " + selfId);
        }
        if (!PeerHeaders.isValidClusterId(clusterId)) {
            throw new IllegalArgumentException("cluster id must be 1-256 printable ASCII characters "
                    + "without spaces, got '" + clusterId + "'");
        }
        this.selfId = selfId;
        this.clusterId = clusterId;
        this.listen = Objects.requireNonNull(listen, "listen");
        this.handler = new SafeHandler(Objects.requireNonNull(handler, "handler"));
        this.snapshots = Objects.requireNonNull(snapshots, "snapshots");
        this.config = Objects.requireNonNull(config, "config");
        // Its thread starts with the first connection or the server, whichever comes first.
        this.eventLoop = new PeerEventLoop(selfId, this.handler);
    }

    /** Starts serving the peer port. */
    public synchronized void start() throws IOException {
        if (closed) {
            throw new IllegalStateException("transport closed");
        }
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        SnapshotReceiver receiver = new SnapshotReceiver(selfId, snapshots, handler, config, stats);
        PeerServiceImpl service = new PeerServiceImpl(selfId, clusterId, handler, stats, receiver, eventLoop);
        long keepAliveMillis = config.keepAliveTime.toMillis();
        NettyServerBuilder builder = NettyServerBuilder.forAddress(listen)
                .bossEventLoopGroup(eventLoop.group())
                .workerEventLoopGroup(eventLoop.group())
                .channelType(eventLoop.serverChannelType());
        if (config.tls != null) {
            builder.protocolNegotiator(TlsOnlyNegotiator.of(config.tls.serverContext(ClientAuth.REQUIRE), "peer port"));
        }
        server = builder
                // A restarted node must get its well-known port back even with connections of
                // its previous life still in TIME_WAIT.
                .withOption(ChannelOption.SO_REUSEADDR, true)
                .maxInboundMessageSize(config.maxInboundMessageBytes)
                .flowControlWindow(TransportConfig.FLOW_CONTROL_WINDOW_BYTES)
                .keepAliveTime(keepAliveMillis, TimeUnit.MILLISECONDS)
                .keepAliveTimeout(config.keepAliveTimeout.toMillis(), TimeUnit.MILLISECONDS)
                // Peers ping as often as we do; allow it, or the server would call it abuse and
                // close their connections.
                .permitKeepAliveTime(Math.min(keepAliveMillis, Duration.ofSeconds(5).toMillis()), TimeUnit.MILLISECONDS)
                .permitKeepAliveWithoutCalls(true)
                .callExecutor(new InlineRaftStream())
                .addService(ServerInterceptors.intercept(service, new PeerIdentityInterceptor(selfId, clusterId,
                        config.tls != null)))
                .build()
                .start();
        log.info("node {} of cluster '{}' serving peers on {} ({})", selfId, clusterId, server.getListenSockets(),
                config.tls != null ? "mutual TLS" : "plaintext");
    }

    /**
     * Runs the raft Stream call on the event loop thread that read it: each frame is decoded and
     * handed to the node there, so a hop to an executor thread would only add a wake-up (and,
     * for its flow control, a second one of the event loop) to every message between peers.
     * Snapshot transfers, which write to disk, keep the executor (null).
     */
    private static final class InlineRaftStream implements ServerCallExecutorSupplier {
        @Override
        public <ReqT, RespT> Executor getExecutor(ServerCall<ReqT, RespT> call, Metadata headers) {
            return call.getMethodDescriptor().getFullMethodName().equals(PeerServiceGrpc.getStreamMethod()
                    .getFullMethodName()) ? MoreExecutors.directExecutor() : null;
        }
    }

    /** The port the peer server listens on (the real one when asked for port 0). */
    public synchronized int port() {
        if (server == null) {
            throw new IllegalStateException("not started");
        }
        return server.getPort();
    }

    public long selfId() {
        return selfId;
    }

    public TransportStats stats() {
        return stats;
    }

    /**
     * Sets the peers to talk to, by id, as {@code host:port}. Peers not in the map are
     * disconnected in the background ({@link #closeInBackground}: their queued messages
     * dropped, running snapshot transfers reported failed), new ones connected, and ones
     * whose address changed reconnected to the new address. An entry for this node itself
     * is ignored, so the whole membership may be passed.
     *
     * @throws IllegalArgumentException if an address is not {@code host:port}; nothing changes then
     */
    public synchronized void setPeers(Map<Long, String> hostPortById) {
        if (closed) {
            throw new IllegalStateException("transport closed");
        }
        Map<Long, PeerAddress> wanted = new HashMap<>();
        hostPortById.forEach((id, hostPort) -> {
            if (id != selfId) {
                wanted.put(id, PeerAddress.parse(hostPort));
            }
        });
        for (RemotePeer p : new ArrayList<>(peers.values())) {
            PeerAddress a = wanted.get(p.id);
            if (a == null || !a.equals(p.address)) {
                peers.remove(p.id);
                closeInBackground(p);
                log.info("peer {} at {} {}", p.id, p.address, a == null ? "removed" : "moved to " + a);
            }
        }
        wanted.forEach((id, address) -> {
            if (!peers.containsKey(id)) {
                RemotePeer p = new RemotePeer(selfId, clusterId, id, address, handler, snapshots, config, stats,
                        eventLoop);
                p.start();
                peers.put(id, p);
                log.info("peer {} at {}", id, address);
            }
        });
    }

    /**
     * Closes a peer that left or moved on a thread of its own: closing waits for its channels,
     * which run on the peers' event loop, and the node calls {@link #setPeers} from its turns,
     * which may run on that very event loop (a membership change committed there).
     */
    private void closeInBackground(RemotePeer p) {
        Thread t = new Thread(p::close, "kvorum-peer-close-" + selfId + "-to-" + p.id);
        t.setDaemon(true);
        t.start();
    }

    /**
     * Runs {@code task} on the peers' event loop once what it has queued now is done: called
     * from a turn the node runs there ({@link MessageHandler#onMessagesDelivered}), after the
     * frames that turn sent are written. A closed transport runs it on the caller.
     */
    public void executeOnPeerLoop(Runnable task) {
        eventLoop.executeLater(task);
    }

    /**
     * Sends {@code messages} without blocking. Order is kept per peer and lane. Messages to
     * unknown peers, or that do not fit their queue, are dropped and counted; SNAPSHOT messages
     * start a snapshot transfer (a SNAPSHOT to an unknown peer fails at once, reported from
     * another thread).
     */
    public void send(List<Message> messages) {
        if (messages.isEmpty()) {
            return; // the raft loop passes every Ready's lists and its held commit notices, mostly empty
        }
        if (closed) {
            stats.messagesDropped.add(messages.size());
            return;
        }
        if (messages.size() == 1) {
            sendTo(messages.get(0).to(), messages);
            return;
        }
        Map<Long, List<Message>> byPeer = new LinkedHashMap<>();
        for (Message m : messages) {
            byPeer.computeIfAbsent(m.to(), k -> new ArrayList<>()).add(m);
        }
        byPeer.forEach(this::sendTo);
    }

    private void sendTo(long to, List<Message> messages) {
        RemotePeer peer = peers.get(to);
        List<Message> stream = messages;
        for (Message m : messages) {
            if (m.type() == MessageType.SNAPSHOT) {
                stream = withoutSnapshots(messages, peer);
                break;
            }
        }
        if (stream.isEmpty()) {
            return;
        }
        if (peer == null) {
            stats.messagesDropped.add(stream.size());
            log.debug("dropped {} messages to unknown peer {}", stream.size(), to);
            return;
        }
        if (!linkDelay.delays(to)) {
            peer.send(stream); // the production path: no closure per send
            return;
        }
        List<Message> held = stream;
        linkDelay.send(to, () -> peer.send(held));
    }

    /** Hands SNAPSHOT messages to their peer's snapshot sender; returns the others. */
    private List<Message> withoutSnapshots(List<Message> messages, RemotePeer peer) {
        List<Message> rest = new ArrayList<>(messages.size());
        for (Message m : messages) {
            if (m.type() != MessageType.SNAPSHOT) {
                rest.add(m);
            } else if (m.snapshot() == null) {
                stats.messagesDropped.increment();
                log.error("dropped SNAPSHOT message without SnapshotMeta: {}", m);
            } else if (peer != null) {
                peer.sendSnapshot(m);
            } else {
                stats.messagesDropped.increment();
                stats.snapshotsFailed.increment();
                log.warn("snapshot for unknown peer {} dropped", m.to());
                // Never call the handler on the sender's thread: it may be the node loop itself.
                // Rare (a configuration race), so a short-lived thread is fine.
                Thread t = new Thread(() -> handler.onSnapshotSent(m.to(), false), "kvorum-snapshot-refused");
                t.setDaemon(true);
                t.start();
            }
        }
        return rest;
    }

    /** Stops the server and every peer connection; no handler callback starts after this returns. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        handler.close();
        linkDelay.close();
        for (RemotePeer p : peers.values()) {
            p.close();
        }
        peers.clear();
        Server s;
        synchronized (this) {
            s = server;
        }
        if (s != null) {
            s.shutdownNow();
            try {
                if (!s.awaitTermination(5, TimeUnit.SECONDS)) {
                    log.warn("peer server of node {} did not terminate within 5 s", selfId);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        eventLoop.close();
    }
}
