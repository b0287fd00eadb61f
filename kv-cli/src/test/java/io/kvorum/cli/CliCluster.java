package io.kvorum.cli;

import static org.awaitility.Awaitility.await;

import io.kvorum.server.api.ApiOptions;
import io.kvorum.server.api.ClientServer;
import io.kvorum.server.api.WatchHub;
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
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A real Kvorum cluster in this JVM on loopback, built like kv-server's ApiCluster test
 * harness: each node a RaftNode over RocksDB with a CoordinationState and a ClientServer on
 * its own ephemeral client port. Ports are picked up front, so a stopped node restarts on the
 * same addresses and a joining node's address is known before it starts.
 */
final class CliCluster implements AutoCloseable {
    static final long HEARTBEAT_MS = 50;
    static final long ELECTION_MS = 500;

    record Running(RaftNode node, CoordinationState state, ClientServer server) {
    }

    final Path dir;
    final Map<Long, String> peers = new LinkedHashMap<>();
    final Map<Long, Integer> clientPorts = new LinkedHashMap<>();
    final Map<Long, Running> nodes = new TreeMap<>();
    private final StateLimits limits = StateLimits.defaults();
    private final int size;

    CliCluster(Path dir, int size) throws IOException {
        this.dir = dir;
        this.size = size;
        for (long id = 1; id <= size; id++) {
            reserve(id);
        }
    }

    /** Short intervals so sessions, keep-alives and watch progress move quickly in tests. */
    static ApiOptions testOptions() {
        return new ApiOptions(Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofMillis(50),
                Duration.ofMillis(200), Duration.ofMillis(200), Duration.ofMillis(500), 10_000, 16L << 20, 1000);
    }

    /**
     * Picks addresses for member {@code id}. Reserve a member that joins later after the
     * founders started: they must not list it, it lists them.
     */
    void reserve(long id) throws IOException {
        peers.put(id, "127.0.0.1:" + freePort());
        clientPorts.put(id, freePort());
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Starts node {@code id}; a joining node founds nothing and waits to be added. */
    Running start(long id, boolean join) throws IOException {
        String[] hp = peers.get(id).split(":");
        NodeConfig cfg = NodeConfig.of(id, "cli-test", dir.resolve("node-" + id),
                new InetSocketAddress(hp[0], Integer.parseInt(hp[1])), peers, join, HEARTBEAT_MS, ELECTION_MS,
                10_000);
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
                    hub[0], limits, testOptions());
        } catch (IOException | RuntimeException e) {
            node.close();
            throw e;
        }
        Running r = new Running(node, state[0], server);
        nodes.put(id, r);
        return r;
    }

    void startAll() throws IOException {
        for (long id : peers.keySet()) {
            start(id, false);
        }
    }

    void stop(long id) {
        Running r = nodes.remove(id);
        if (r != null) {
            r.server().close();
            r.node().close();
        }
    }

    long awaitLeader() {
        long[] leader = new long[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
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

    /** Every founding member's client address, comma-separated, for --endpoints. */
    String endpoints() {
        return endpoints(java.util.stream.LongStream.rangeClosed(1, size).boxed().toList());
    }

    String endpoints(List<Long> ids) {
        return ids.stream().map(this::clientAddress).collect(Collectors.joining(","));
    }

    String clientAddress(long id) {
        return "127.0.0.1:" + clientPorts.get(id);
    }

    Running node(long id) {
        return nodes.get(id);
    }

    @Override
    public void close() {
        for (long id : Map.copyOf(nodes).keySet()) {
            stop(id);
        }
    }
}
