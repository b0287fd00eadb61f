package io.kvorum.server.node;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * In-JVM Kvorum nodes on loopback with real RocksDB stores and gRPC peer links. Ports are
 * picked free up front because every node must know every peer's address at start.
 */
final class NodeHarness implements AutoCloseable {
    static final long HEARTBEAT_MS = 50;
    static final long ELECTION_MS = 500;

    final Path dir;
    final String clusterId;
    final Map<Long, String> addresses = new LinkedHashMap<>();
    final Map<Long, RaftNode> nodes = new HashMap<>();
    long snapshotEntries = 10_000;

    NodeHarness(Path dir, String clusterId, int size) throws IOException {
        this.dir = dir;
        this.clusterId = clusterId;
        List<Integer> ports = freePorts(size);
        for (int i = 0; i < size; i++) {
            addresses.put(i + 1L, "127.0.0.1:" + ports.get(i));
        }
    }

    /**
     * {@code n} distinct loopback ports free right now. The probe sockets are held together
     * until all are known: a port probed and released at once may be the next probe's too, and
     * two nodes given one address dial themselves.
     */
    static List<Integer> freePorts(int n) throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        try {
            List<Integer> ports = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                held.add(s);
                ports.add(s.getLocalPort());
            }
            return ports;
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
    }

    NodeConfig config(long id, boolean join) {
        String[] hp = addresses.get(id).split(":");
        return NodeConfig.of(id, clusterId, dir.resolve("node-" + id),
                new InetSocketAddress(hp[0], Integer.parseInt(hp[1])), addresses, join, HEARTBEAT_MS, ELECTION_MS,
                snapshotEntries);
    }

    RaftNode start(long id) throws IOException {
        return start(id, false);
    }

    /** Starts node {@code id}; with {@code join} it founds nothing and waits to be added. */
    RaftNode start(long id, boolean join) throws IOException {
        RaftNode n = RaftNode.start(config(id, join), new CounterStateMachine());
        nodes.put(id, n);
        return n;
    }

    /** Reserves an address for a node that will join later. */
    void reserve(long id) throws IOException {
        String address;
        do {
            address = "127.0.0.1:" + freePorts(1).get(0);
        } while (addresses.containsValue(address));
        addresses.put(id, address);
    }

    void startAll() throws IOException {
        for (long id : addresses.keySet()) {
            start(id);
        }
    }

    /** Stops node {@code id} at once: whatever it had not synced is what a crash would lose. */
    void stop(long id) {
        RaftNode n = nodes.remove(id);
        if (n != null) {
            n.close();
        }
    }

    long awaitLeader() {
        long[] leader = new long[1];
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            for (RaftNode n : nodes.values()) {
                if ("leader".equals(n.status().role())) {
                    leader[0] = n.status().id();
                    return true;
                }
            }
            return false;
        });
        return leader[0];
    }

    /** Waits until every running node knows the same leader, so proposals anywhere are forwarded. */
    long awaitLeaderKnownByAll() {
        long leader = awaitLeader();
        await().atMost(Duration.ofSeconds(20)).until(() ->
                nodes.values().stream().allMatch(n -> n.status().leaderId() == leader));
        return leader;
    }

    RaftNode node(long id) {
        return nodes.get(id);
    }

    /** Proposes through {@code id}, retrying while no leader is known. */
    byte[] write(long id, String key, String value) {
        for (int attempt = 0; attempt < 100; attempt++) {
            CompletableFuture<byte[]> f = node(id).propose(CounterStateMachine.put(key, value));
            try {
                return f.get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                await().pollDelay(Duration.ofMillis(50)).atMost(Duration.ofSeconds(1)).until(() -> true);
            }
        }
        throw new AssertionError("write " + key + " through node " + id + " never succeeded");
    }

    String read(long id, String key) {
        byte[] v = node(id).store().get(key.getBytes(StandardCharsets.UTF_8));
        return v == null ? null : new String(v, StandardCharsets.UTF_8);
    }

    /** A linearizable read through {@code id}: barrier, then the local store. */
    String linearizableRead(long id, String key) throws Exception {
        node(id).readBarrier().get(5, TimeUnit.SECONDS);
        return read(id, key);
    }

    @Override
    public void close() {
        for (long id : Map.copyOf(nodes).keySet()) {
            stop(id);
        }
    }
}
