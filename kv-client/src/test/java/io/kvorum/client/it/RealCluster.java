package io.kvorum.client.it;

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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A real Kvorum cluster in the test JVM on loopback, built the way kvorum-server builds one
 * node (RaftNode over RocksDB, CoordinationState, ClientServer). Ports are chosen up front so a
 * stopped node restarts on the same addresses with its data.
 */
final class RealCluster implements AutoCloseable {
    static final long HEARTBEAT_MS = 50;
    static final long ELECTION_MS = 500;

    private record Running(RaftNode node, ClientServer server) {
    }

    private final Path dir;
    private final Map<Long, String> peers = new LinkedHashMap<>();
    private final Map<Long, Integer> clientPorts = new LinkedHashMap<>();
    private final Map<Long, Running> running = new TreeMap<>();
    private final Set<Integer> used = new HashSet<>();

    RealCluster(Path dir, int size) throws IOException {
        this.dir = dir;
        for (long id = 1; id <= size; id++) {
            peers.put(id, "127.0.0.1:" + freePort());
            clientPorts.put(id, freePort());
        }
    }

    /** Timings short enough for tests: expiry checked every 50 ms, progress after 300 ms of silence. */
    private static ApiOptions options() {
        return new ApiOptions(Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofMillis(50),
                Duration.ofMillis(200), Duration.ofMillis(200), Duration.ofMillis(300), 10_000, 16L << 20, 1000);
    }

    private int freePort() throws IOException {
        while (true) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                if (used.add(s.getLocalPort())) {
                    return s.getLocalPort();
                }
            }
        }
    }

    RealCluster startAll() throws IOException {
        for (long id : peers.keySet()) {
            start(id);
        }
        awaitLeader();
        return this;
    }

    void start(long id) throws IOException {
        String[] hp = peers.get(id).split(":");
        NodeConfig cfg = NodeConfig.of(id, "client-it", dir.resolve("node-" + id),
                new InetSocketAddress(hp[0], Integer.parseInt(hp[1])), peers, false, HEARTBEAT_MS, ELECTION_MS,
                10_000);
        CoordinationState[] state = new CoordinationState[1];
        WatchHub[] hub = new WatchHub[1];
        StateLimits limits = StateLimits.defaults();
        RaftNode node = RaftNode.start(cfg, store -> {
            state[0] = new CoordinationState(store, limits);
            hub[0] = WatchHub.attach(state[0]);
            return state[0];
        });
        try {
            ClientServer server = new ClientServer(new InetSocketAddress("127.0.0.1", clientPorts.get(id)), null, node,
                    state[0], hub[0], limits, options());
            running.put(id, new Running(node, server));
        } catch (IOException | RuntimeException e) {
            node.close();
            throw e;
        }
    }

    /** Stops node {@code id} at once (its client port, then raft): like a crash, minus the disk. */
    void stop(long id) {
        Running r = running.remove(id);
        if (r != null) {
            r.server().close();
            r.node().close();
        }
    }

    void stopAll() {
        for (long id : List.copyOf(running.keySet())) {
            stop(id);
        }
    }

    void restartStopped() throws IOException {
        for (long id : peers.keySet()) {
            if (!running.containsKey(id)) {
                start(id);
            }
        }
    }

    long awaitLeader() {
        long[] leader = new long[1];
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).until(() -> {
            for (Running r : running.values()) {
                if ("leader".equals(r.node().status().role())) {
                    leader[0] = r.node().status().id();
                    return true;
                }
            }
            return false;
        });
        return leader[0];
    }

    String clientAddress(long id) {
        return "127.0.0.1:" + clientPorts.get(id);
    }

    /** The client addresses with {@code first}'s first: a new client's first stream goes there. */
    String[] addressesStartingWith(long first) {
        List<String> out = new java.util.ArrayList<>();
        out.add(clientAddress(first));
        for (long id : clientPorts.keySet()) {
            if (id != first) {
                out.add(clientAddress(id));
            }
        }
        return out.toArray(String[]::new);
    }

    String[] addresses() {
        return clientPorts.values().stream().map(p -> "127.0.0.1:" + p).toArray(String[]::new);
    }

    @Override
    public void close() {
        stopAll();
    }
}
