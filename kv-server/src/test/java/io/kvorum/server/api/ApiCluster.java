package io.kvorum.server.api;

import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.kvorum.proto.v1.ClusterGrpc;
import io.kvorum.proto.v1.KVGrpc;
import io.kvorum.proto.v1.SessionGrpc;
import io.kvorum.proto.v1.WatchGrpc;
import io.kvorum.server.node.NodeConfig;
import io.kvorum.server.node.RaftNode;
import io.kvorum.server.state.CoordinationState;
import io.kvorum.server.state.StateLimits;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A real Kvorum cluster in this JVM on loopback: each node is a RaftNode over RocksDB with a
 * CoordinationState, and a ClientServer on its own client port, reached through a real gRPC
 * channel. Ports are picked up front, so a stopped node restarts on the same addresses.
 */
final class ApiCluster implements AutoCloseable {
    static final long HEARTBEAT_MS = 50;
    static final long ELECTION_MS = 500;
    static final Duration RPC_DEADLINE = Duration.ofSeconds(10);

    /** One running node. */
    record Running(RaftNode node, CoordinationState state, ClientServer server, ManagedChannel channel) {
    }

    final Path dir;
    final Map<Long, String> peers = new LinkedHashMap<>();
    final Map<Long, Integer> clientPorts = new LinkedHashMap<>();
    final Map<Long, Running> nodes = new TreeMap<>();
    private final java.util.Set<Integer> used = new java.util.HashSet<>();
    ApiOptions options = testOptions();
    StateLimits limits = StateLimits.defaults();
    long snapshotEntries = 10_000;

    ApiCluster(Path dir, int size) throws IOException {
        this.dir = dir;
        for (long id = 1; id <= size; id++) {
            reserve(id);
        }
    }

    /** Short intervals so tests see keep-alives, expiry and progress quickly. */
    static ApiOptions testOptions() {
        return new ApiOptions(Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofMillis(50),
                Duration.ofMillis(200), Duration.ofMillis(200), Duration.ofMillis(500), 10_000, 16L << 20, 1000);
    }

    /** Picks addresses for member {@code id} (for a node that will join later, too). */
    void reserve(long id) throws IOException {
        peers.put(id, "127.0.0.1:" + freePort());
        clientPorts.put(id, freePort());
    }

    /** A port free now and not handed out before by this cluster (the OS may offer one twice). */
    private int freePort() throws IOException {
        while (true) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                if (used.add(s.getLocalPort())) {
                    return s.getLocalPort();
                }
            }
        }
    }

    Running start(long id) throws IOException {
        return start(id, false);
    }

    /** Starts node {@code id}; a joining node starts empty and waits to be added. */
    Running start(long id, boolean join) throws IOException {
        String[] hp = peers.get(id).split(":");
        NodeConfig cfg = NodeConfig.of(id, "api-test", dir.resolve("node-" + id),
                new InetSocketAddress(hp[0], Integer.parseInt(hp[1])), peers, join, HEARTBEAT_MS, ELECTION_MS, snapshotEntries);
        CoordinationState[] state = new CoordinationState[1];
        WatchHub[] hub = new WatchHub[1];
        RaftNode node = RaftNode.start(cfg, store -> {
            state[0] = new CoordinationState(store, limits);
            hub[0] = WatchHub.attach(state[0]);
            return state[0];
        });
        ClientServer server;
        try {
            server = new ClientServer(new InetSocketAddress("127.0.0.1", clientPorts.get(id)), null, node, state[0],
                    hub[0], limits, options);
        } catch (IOException | RuntimeException e) {
            node.close();
            throw e;
        }
        ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", clientPorts.get(id)).usePlaintext()
                .maxInboundMessageSize(32 << 20).build();
        Running r = new Running(node, state[0], server, ch);
        nodes.put(id, r);
        return r;
    }

    void startAll() throws IOException {
        for (long id : peers.keySet()) {
            start(id);
        }
    }

    /** Stops node {@code id} at once: client port, then the node. */
    void stop(long id) {
        Running r = nodes.remove(id);
        if (r != null) {
            r.channel().shutdownNow();
            r.server().close();
            r.node().close();
            try {
                r.channel().awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    long awaitLeader() {
        long[] leader = new long[1];
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).until(() -> {
            for (Running r : nodes.values()) {
                if ("leader".equals(r.node().status().role())) {
                    leader[0] = r.node().status().id();
                    return true;
                }
            }
            return false;
        });
        return leader[0];
    }

    /** A running node other than {@code notThis}. */
    long other(long notThis) {
        return nodes.keySet().stream().filter(id -> id != notThis).findFirst().orElseThrow();
    }

    /** Waits until every running node announced its client address and knows the others'. */
    void awaitAddressesAnnounced() {
        await().atMost(Duration.ofSeconds(20)).until(() -> nodes.values().stream().allMatch(r ->
                r.state().memberClientAddresses().keySet().containsAll(nodes.keySet())));
    }

    String clientAddress(long id) {
        return "127.0.0.1:" + clientPorts.get(id);
    }

    Running node(long id) {
        return nodes.get(id);
    }

    KVGrpc.KVBlockingStub kv(long id) {
        return KVGrpc.newBlockingStub(nodes.get(id).channel()).withDeadlineAfter(RPC_DEADLINE.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    SessionGrpc.SessionBlockingStub session(long id) {
        return SessionGrpc.newBlockingStub(nodes.get(id).channel()).withDeadlineAfter(RPC_DEADLINE.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    SessionGrpc.SessionStub sessionAsync(long id) {
        return SessionGrpc.newStub(nodes.get(id).channel());
    }

    WatchGrpc.WatchStub watch(long id) {
        return WatchGrpc.newStub(nodes.get(id).channel());
    }

    ClusterGrpc.ClusterBlockingStub cluster(long id) {
        return ClusterGrpc.newBlockingStub(nodes.get(id).channel()).withDeadlineAfter(RPC_DEADLINE.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        for (long id : Map.copyOf(nodes).keySet()) {
            stop(id);
        }
    }
}
