package io.kvorum.server.transport;

import static io.kvorum.server.transport.Nodes.append;
import static io.kvorum.server.transport.Nodes.heartbeat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.server.raft.MessageType;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Peers given by host name: looked up at connect time and again after a failed connection,
 * so a peer that comes back at another address under its name is reached there. Names are
 * served by a map standing in for DNS; the addresses are real loopback addresses (Linux
 * routes all of 127/8 to lo).
 */
@Timeout(60)
class PeerHostNameTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String NAME_1 = "node-1.kvorum.test";
    private static final String NAME_2 = "node-2.kvorum.test";

    @TempDir
    Path tmp;
    private Nodes nodes;
    private final Map<String, InetAddress> dns = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> lookups = new ConcurrentHashMap<>();
    private final TransportConfig config = TransportConfig.builder().hostResolver(this::lookUp).build();

    private List<InetAddress> lookUp(String host) throws UnknownHostException {
        lookups.computeIfAbsent(host, h -> new AtomicInteger()).incrementAndGet();
        InetAddress a = dns.get(host);
        if (a == null) {
            throw new UnknownHostException(host);
        }
        return List.of(a);
    }

    private int lookupsOf(String host) {
        AtomicInteger n = lookups.get(host);
        return n == null ? 0 : n.get();
    }

    @BeforeEach
    void setUp() {
        nodes = new Nodes(tmp);
    }

    @AfterEach
    void tearDown() {
        nodes.close();
    }

    private static InetAddress loopback(int last) throws UnknownHostException {
        return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
    }

    private PeerTransport start(long id, InetAddress address, int port) {
        return nodes.start(id, Nodes.CLUSTER, new InetSocketAddress(address, port), config);
    }

    /** Sends node 1's heartbeats and appends to node 2 until node 2 has received both. */
    private void awaitDeliveryFrom1To2() {
        long[] ctx = {0};
        await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> {
            nodes.get(1).send(List.of(heartbeat(1, 2, ++ctx[0]), append(1, 2, ctx[0], 10)));
            return nodes.inbox(2).count(MessageType.HEARTBEAT) > 0 && nodes.inbox(2).count(MessageType.APPEND) > 0;
        });
    }

    @Test
    void aPeerRestartedAtAnotherAddressUnderItsNameIsReconnected() throws Exception {
        dns.put(NAME_1, loopback(1));
        dns.put(NAME_2, loopback(1));
        PeerTransport a = start(1, loopback(1), 0);
        PeerTransport b = start(2, loopback(1), 0);
        int port = b.port();
        Map<Long, String> members = Map.of(1L, NAME_1 + ":" + a.port(), 2L, NAME_2 + ":" + port);
        a.setPeers(members);
        b.setPeers(members);
        awaitDeliveryFrom1To2();
        assertTrue(lookupsOf(NAME_2) >= 1, "node 1 looked node 2's name up to connect");

        b.close();
        // Node 2 comes back on another loopback address, same id, name and port; only the
        // name's answer changes. Node 1's configuration is not touched.
        dns.put(NAME_2, loopback(2));
        int before = lookupsOf(NAME_2);
        PeerTransport moved = start(2, loopback(2), port);
        moved.setPeers(members);
        awaitDeliveryFrom1To2();
        assertTrue(lookupsOf(NAME_2) > before, "node 1 looked the name up again after the connection failed");

        moved.send(List.of(append(2, 1, 1, 10)));
        await().atMost(WAIT).until(() -> nodes.inbox(1).count(MessageType.APPEND) == 1);
        assertEquals(List.of(2L), nodes.inbox(1).all().stream().map(m -> m.from()).distinct().toList());
    }

    @Test
    void aPeerWhoseNameDoesNotResolveYetIsReachedOnceItDoes() throws Exception {
        PeerTransport a = start(1, loopback(1), 0);
        PeerTransport b = start(2, loopback(1), 0);
        Map<Long, String> members = Map.of(1L, NAME_1 + ":" + a.port(), 2L, NAME_2 + ":" + b.port());
        a.setPeers(members);
        // A pod's DNS record appears only once the pod exists: until then lookups fail and are retried.
        nodes.get(1).send(List.of(heartbeat(1, 2, 1)));
        await().atMost(WAIT).until(() -> lookupsOf(NAME_2) >= 1);
        assertEquals(0, nodes.inbox(2).count(MessageType.HEARTBEAT));

        dns.put(NAME_2, loopback(1));
        awaitDeliveryFrom1To2();
    }
}
