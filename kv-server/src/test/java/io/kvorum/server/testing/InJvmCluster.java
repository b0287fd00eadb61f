package io.kvorum.server.testing;

import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.kvorum.proto.v1.ClusterGrpc;
import io.kvorum.proto.v1.KVGrpc;
import io.kvorum.proto.v1.MaintenanceGrpc;
import io.kvorum.proto.v1.SessionGrpc;
import io.kvorum.proto.v1.WatchGrpc;
import io.kvorum.server.api.AdmissionLimits;
import io.kvorum.server.api.ApiOptions;
import io.kvorum.server.api.ClientSecurity;
import io.kvorum.server.api.ClientServer;
import io.kvorum.server.api.ClientServerParts;
import io.kvorum.server.api.PageSizes;
import io.kvorum.server.api.Placement;
import io.kvorum.server.api.ServedNode;
import io.kvorum.server.api.SpaceQuota;
import io.kvorum.server.api.WatchHub;
import io.kvorum.server.KvorumServer;
import io.kvorum.server.metrics.KvorumMetrics;
import io.kvorum.server.node.LocalStorage;
import io.kvorum.server.node.NodeConfig;
import io.kvorum.server.node.RaftNode;
import io.kvorum.server.state.CoordinationState;
import io.kvorum.server.state.StateLimits;
import io.kvorum.server.tls.ReloadingTls;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

/**
 * A real Kvorum cluster inside the test JVM, on loopback, for the integration tests of
 * kv-server, kv-client and kv-cli (kv-server publishes it in its test-jar).
 *
 * <p><b>What it starts.</b> Each node is built the way {@code kvorum-server} builds one: a
 * {@link RaftNode} over RocksDB in {@code <dir>/node-<id>}, a {@link CoordinationState} with a
 * {@link WatchHub} as its state machine, and a {@link ClientServer} serving the client API on the
 * node's own client port. The harness also keeps one plaintext gRPC channel per running node
 * (lazy: it connects on first use) behind {@link #kv}, {@link #session}, {@link #watch} and
 * {@link #cluster}.
 *
 * <p><b>Ports.</b> Every member's peer and client ports are free loopback ports picked up front,
 * in the constructor for the founding members {@code 1..size} and in {@link #reserve} for a member
 * that joins later; no port is handed out twice by one cluster. So a stopped node restarts on the
 * same addresses with its data, and a joining node's address is known before it starts.
 *
 * <p><b>Timings.</b> Raft runs with {@link #HEARTBEAT_MS} heartbeats and {@link #ELECTION_MS}
 * election timeouts; the client API with {@link #testOptions()} (short keep-alive, expiry and
 * watch-progress intervals) unless {@link #options(ApiOptions)} says otherwise. Blocking stubs
 * carry an {@link #RPC_DEADLINE} deadline; {@link #awaitLeader()} waits up to
 * {@link #LEADER_TIMEOUT}. Options, limits and the snapshot threshold apply to nodes started
 * after they are set.
 *
 * <p><b>Stop and restart.</b> {@link #stop(long)} stops a node at once, like a crash that keeps
 * its disk: the channel, then the client port, then Raft. {@link #start(long)} restarts it on the
 * same addresses and data directory; {@link #restartStopped()} restarts every stopped founding
 * member. {@link #close()} stops every node still running.
 */
public final class InJvmCluster implements AutoCloseable {
    public static final long HEARTBEAT_MS = 50;
    public static final long ELECTION_MS = 500;
    public static final Duration RPC_DEADLINE = Duration.ofSeconds(10);
    public static final Duration LEADER_TIMEOUT = Duration.ofSeconds(30);

    /** One running node, its metrics (as a server process wires them) and the harness's channel to its client port. */
    public record Running(RaftNode node, CoordinationState state, ClientServer server, ManagedChannel channel,
                          KvorumMetrics metrics) {
    }

    private final Path dir;
    private final String clusterName;
    private final int size;
    private final Map<Long, String> peers = new LinkedHashMap<>();
    private final Map<Long, Integer> clientPorts = new LinkedHashMap<>();
    private final Map<Long, Running> nodes = new TreeMap<>();
    private final Map<Long, Placement> placements = new LinkedHashMap<>();
    private final Set<Integer> used = new HashSet<>();
    private ApiOptions options = testOptions();
    private StateLimits limits = StateLimits.defaults();
    private AdmissionLimits admission = AdmissionLimits.defaults();
    private long snapshotEntries = 10_000;
    private long quotaBytes;
    private LongFunction<ClientSecurity> security = id -> ClientSecurity.plaintext();
    private LongFunction<ReloadingTls> peerTls = id -> null;
    private LongFunction<ManagedChannel> channels = id -> NettyChannelBuilder.forAddress("127.0.0.1", clientPort(id))
            .usePlaintext().maxInboundMessageSize(32 << 20).build();

    /** A cluster of founding members {@code 1..size} with data under {@code dir}; nothing runs yet. */
    public InJvmCluster(Path dir, int size, String clusterName) throws IOException {
        this.dir = dir;
        this.clusterName = clusterName;
        this.size = size;
        for (long id = 1; id <= size; id++) {
            reserve(id);
        }
    }

    /** Short intervals so tests see keep-alives, expiry and watch progress quickly. */
    public static ApiOptions testOptions() {
        return new ApiOptions(Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofMillis(50),
                Duration.ofMillis(200), Duration.ofMillis(200), Duration.ofMillis(500), 10_000, 16L << 20, 1000,
                PageSizes.defaults());
    }

    /** A loopback port free right now (for a nothing-listens-here address, say). */
    public static int freeLoopbackPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    public ApiOptions options() {
        return options;
    }

    /** Client API options for nodes started from now on. */
    public InJvmCluster options(ApiOptions options) {
        this.options = options;
        return this;
    }

    public StateLimits limits() {
        return limits;
    }

    /** State limits for nodes started from now on. */
    public InJvmCluster limits(StateLimits limits) {
        this.limits = limits;
        return this;
    }

    /** Admission limits (in-flight requests, streams per connection) for nodes started from now on. */
    public InJvmCluster admission(AdmissionLimits admission) {
        this.admission = admission;
        return this;
    }

    /** The Raft snapshot threshold (log entries) for nodes started from now on. */
    public InJvmCluster snapshotEntries(long snapshotEntries) {
        this.snapshotEntries = snapshotEntries;
        return this;
    }

    /** The space quota (state bytes; 0 for none) for nodes started from now on. */
    public InJvmCluster quotaBytes(long quotaBytes) {
        this.quotaBytes = quotaBytes;
        return this;
    }

    /** Member {@code id}'s datacenter, zone and leader preference, from its next start on (default none). */
    public InJvmCluster placement(long id, Placement placement) {
        placements.put(id, placement);
        return this;
    }

    /** Where member {@code id} keeps its data. */
    public Path dataDir(long id) {
        return dir.resolve("node-" + id);
    }

    /**
     * Picks addresses for member {@code id}. Reserve a member that joins later after the founders
     * started: they must not list it, it lists them.
     */
    public void reserve(long id) throws IOException {
        peers.put(id, "127.0.0.1:" + freePort());
        clientPorts.put(id, freePort());
    }

    /** A port free now and not handed out before by this cluster (the OS may offer one twice). */
    private int freePort() throws IOException {
        while (true) {
            int port = freeLoopbackPort();
            if (used.add(port)) {
                return port;
            }
        }
    }

    /** Each node's client-port security (TLS, token TTL, hash strength); plaintext by default. */
    public InJvmCluster security(LongFunction<ClientSecurity> security) {
        this.security = security;
        return this;
    }

    /** Each node's peer-port TLS; null (the default) for plaintext. */
    public InJvmCluster peerTls(LongFunction<ReloadingTls> peerTls) {
        this.peerTls = peerTls;
        return this;
    }

    /** How the harness's own channel to each node's client port is made (e.g. with TLS). */
    public InJvmCluster channels(LongFunction<ManagedChannel> channels) {
        this.channels = channels;
        return this;
    }

    /** Starts (or restarts) member {@code id} as a founding member. */
    public Running start(long id) throws IOException {
        return start(id, false);
    }

    /** Starts member {@code id}; a joining node founds nothing and waits to be added. */
    public Running start(long id, boolean join) throws IOException {
        String[] hp = peers.get(id).split(":");
        NodeConfig cfg = NodeConfig.of(id, clusterName, dataDir(id),
                new InetSocketAddress(hp[0], Integer.parseInt(hp[1])), peers, join, HEARTBEAT_MS, ELECTION_MS,
                snapshotEntries);
        cfg = cfg.withTransport(cfg.transport().toBuilder().tls(peerTls.apply(id)).build());
        KvorumMetrics metrics = new KvorumMetrics(true);
        ServedNode served = KvorumServer.startNode(cfg, metrics.node(), limits);
        RaftNode node = served.node();
        ClientServer server;
        try {
            server = new ClientServer(new InetSocketAddress("127.0.0.1", clientPorts.get(id)), null, served, options,
                    ClientServerParts.defaults()
                            .withMetrics(metrics.clients()).withAdmission(admission)
                            .withQuota(SpaceQuota.ofState(quotaBytes, LocalStorage.of(node)))
                            .withSecurity(security.apply(id))
                            .withPlacement(placements.getOrDefault(id, Placement.NONE)));
            metrics.bind(node, server, served.state());
        } catch (IOException | RuntimeException e) {
            node.close();
            throw e;
        }
        ManagedChannel ch = channels.apply(id);
        Running r = new Running(node, served.state(), server, ch, metrics);
        nodes.put(id, r);
        return r;
    }

    /** Starts every member reserved so far as a founding member; does not wait for a leader. */
    public InJvmCluster startAll() throws IOException {
        for (long id : peers.keySet()) {
            start(id);
        }
        return this;
    }

    /** Stops node {@code id} at once: its channel, its client port, then Raft. Its data stays. */
    public void stop(long id) {
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

    /** Stops every running node. */
    public void stopAll() {
        for (long id : List.copyOf(nodes.keySet())) {
            stop(id);
        }
    }

    /** Restarts every founding member that is not running, on its old addresses and data. */
    public void restartStopped() throws IOException {
        for (long id = 1; id <= size; id++) {
            if (!nodes.containsKey(id)) {
                start(id);
            }
        }
    }

    /** Waits up to {@link #LEADER_TIMEOUT} until a running node leads and every running voter follows it; returns its id. */
    public long awaitLeader() {
        long[] leader = new long[1];
        // Until every running voter follows the same leader: a test that writes through a
        // follower right away must not meet one that has not heard from the leader yet.
        await().atMost(LEADER_TIMEOUT).pollInterval(Duration.ofMillis(20)).until(() -> {
            long seen = 0;
            for (Running r : nodes.values()) {
                if ("leader".equals(r.node().status().role())) {
                    seen = r.node().status().id();
                }
            }
            if (seen == 0) {
                return false;
            }
            for (Running r : nodes.values()) {
                var st = r.node().status();
                if (st.voters().contains(st.id()) && st.leaderId() != seen) {
                    return false;
                }
            }
            leader[0] = seen;
            return true;
        });
        return leader[0];
    }

    /** A running node other than {@code notThis}. */
    public long other(long notThis) {
        return nodes.keySet().stream().filter(id -> id != notThis).findFirst().orElseThrow();
    }

    /** Waits until every running node announced its client address and knows the others'. */
    public void awaitAddressesAnnounced() {
        await().atMost(Duration.ofSeconds(20)).until(() -> nodes.values().stream().allMatch(r ->
                r.state().memberClientAddresses().keySet().containsAll(nodes.keySet())));
    }

    /** The ids of the running nodes, in ascending order (a live, read-only view). */
    public Set<Long> runningIds() {
        return Collections.unmodifiableSet(nodes.keySet());
    }

    /** The running node {@code id}, or null if it is stopped. */
    public Running node(long id) {
        return nodes.get(id);
    }

    /** Member {@code id}'s Raft peer address, host:port. */
    public String peerAddress(long id) {
        return peers.get(id);
    }

    public int clientPort(long id) {
        return clientPorts.get(id);
    }

    /** Member {@code id}'s client address, host:port. */
    public String clientAddress(long id) {
        return "127.0.0.1:" + clientPorts.get(id);
    }

    /** Every founding member's client address, in id order. */
    public String[] addresses() {
        return LongStream.rangeClosed(1, size).mapToObj(this::clientAddress).toArray(String[]::new);
    }

    /** The founding members' client addresses with {@code first}'s first. */
    public String[] addressesStartingWith(long first) {
        List<String> out = new ArrayList<>();
        out.add(clientAddress(first));
        for (long id = 1; id <= size; id++) {
            if (id != first) {
                out.add(clientAddress(id));
            }
        }
        return out.toArray(String[]::new);
    }

    /** Every founding member's client address, comma-separated (the CLI's --endpoints). */
    public String endpoints() {
        return String.join(",", addresses());
    }

    /** These members' client addresses, comma-separated. */
    public String endpoints(List<Long> ids) {
        return ids.stream().map(this::clientAddress).collect(Collectors.joining(","));
    }

    public KVGrpc.KVBlockingStub kv(long id) {
        return KVGrpc.newBlockingStub(nodes.get(id).channel()).withDeadlineAfter(RPC_DEADLINE.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    public SessionGrpc.SessionBlockingStub session(long id) {
        return SessionGrpc.newBlockingStub(nodes.get(id).channel()).withDeadlineAfter(RPC_DEADLINE.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    public SessionGrpc.SessionStub sessionAsync(long id) {
        return SessionGrpc.newStub(nodes.get(id).channel());
    }

    public WatchGrpc.WatchStub watch(long id) {
        return WatchGrpc.newStub(nodes.get(id).channel());
    }

    public MaintenanceGrpc.MaintenanceBlockingStub maintenance(long id) {
        return MaintenanceGrpc.newBlockingStub(nodes.get(id).channel());
    }

    public ClusterGrpc.ClusterBlockingStub cluster(long id) {
        return ClusterGrpc.newBlockingStub(nodes.get(id).channel()).withDeadlineAfter(RPC_DEADLINE.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Stops every node still running. */
    @Override
    public void close() {
        stopAll();
    }
}
