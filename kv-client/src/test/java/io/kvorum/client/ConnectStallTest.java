package io.kvorum.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.client.fake.FakeCluster;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A paused node's kernel still accepts TCP connections, but the HTTP/2 handshake never
 * completes, so a call sent there would wait out its whole attempt timeout. A new client (no
 * connection yet, so no answer to learn from) moves on to another node once the channel has not
 * connected within the connect grace.
 */
class ConnectStallTest {
    private FakeCluster cluster;
    private ServerSocket silent;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private Thread acceptor;

    @BeforeEach
    void setUp() throws Exception {
        cluster = new FakeCluster(2);
        silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(() -> {
            while (!silent.isClosed()) {
                try {
                    accepted.add(silent.accept()); // held open, never read or written
                } catch (IOException closed) {
                    return;
                }
            }
        }, "silent-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        silent.close();
        for (Socket s : accepted) {
            s.close();
        }
        acceptor.join(5_000);
        cluster.close();
    }

    @Test
    void writesAndReadsOfANewClientLeaveANodeThatAcceptsButNeverAnswers() {
        String silentAddress = "127.0.0.1:" + silent.getLocalPort();
        // Round robin starts at the silent endpoint. An attempt timeout of a minute: without the
        // connect check the first call would wait that long; 30 s bounds everything far below it.
        try (KvorumClient client = KvorumClient.builder().endpoints(silentAddress)
                .endpoints(cluster.addresses()).attemptTimeout(Duration.ofSeconds(60))
                .defaultDeadline(Duration.ofSeconds(120)).endpointBackoff(Duration.ofSeconds(5), Duration.ofSeconds(5))
                .hedgeReads(false).build()) {
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                client.create("/a", "1");
                for (int i = 0; i < 6; i++) {
                    client.set("/a", TestClients.bytes("v" + i));
                    assertEquals("v" + i, client.get("/a").dataAsString());
                }
            });
            assertTrue(accepted.size() >= 1, "the client did try the silent endpoint");
        }
    }
}
