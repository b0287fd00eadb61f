package io.kvorum.jepsen.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Each mode of a link, with plain sockets against an echo server; loopback only. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LinkProxyTest {
    private static final int QUIET_MS = 300;
    private EchoServer echo;
    private LinkProxy link;
    private final List<Socket> sockets = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        echo = new EchoServer();
        link = new LinkProxy("a->b", echo.address());
    }

    @AfterEach
    void stop() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
        link.close();
        echo.close();
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        sockets.add(s);
        s.connect(link.address(), 2000);
        s.setSoTimeout(5000);
        return s;
    }

    private static void send(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
    }

    private static String receive(Socket s, int length) throws IOException {
        byte[] buf = new byte[length];
        int got = 0;
        InputStream in = s.getInputStream();
        while (got < length) {
            int n = in.read(buf, got, length - got);
            if (n < 0) {
                throw new IOException("EOF after " + got + " bytes");
            }
            got += n;
        }
        return new String(buf, StandardCharsets.UTF_8);
    }

    /** Nothing arrives within a short, bounded wait. */
    private static void assertQuiet(Socket s) throws IOException {
        s.setSoTimeout(QUIET_MS);
        assertThrows(SocketTimeoutException.class, () -> s.getInputStream().read());
        s.setSoTimeout(5000);
    }

    /** The connection was reset or closed: a read fails or ends. */
    private static void assertBroken(Socket s) {
        try {
            s.setSoTimeout(5000);
            assertEquals(-1, s.getInputStream().read());
        } catch (IOException expected) {
            // reset
        }
    }

    @Test
    void anOpenLinkForwardsBothWays() throws IOException {
        Socket s = connect();
        send(s, "hello");
        assertEquals("hello", receive(s, 5));
        assertEquals(LinkMode.OPEN, link.mode());
        assertEquals(1, link.connections());
    }

    @Test
    void aCutFreezesExistingConnectionsAndHealDeliversWhatWasHeld() throws IOException {
        Socket s = connect();
        send(s, "a");
        assertEquals("a", receive(s, 1));
        link.cut();
        send(s, "frozen");
        assertQuiet(s);
        link.heal();
        assertEquals("frozen", receive(s, 6), "held bytes arrive intact, in order");
    }

    @Test
    void aCutRefusesNewConnections() throws IOException {
        link.cut();
        try {
            Socket s = connect(); // the kernel completes the handshake; the proxy resets it at once
            assertBroken(s);
        } catch (java.net.SocketException resetDuringConnect) {
            // The reset can win the race with connect() itself: refused all the same.
        }
        link.heal();
        Socket t = connect();
        send(t, "ok");
        assertEquals("ok", receive(t, 2));
    }

    @Test
    void aBlackholeDiscardsAndHealResetsTheBrokenStream() throws IOException {
        Socket s = connect();
        link.blackhole();
        send(s, "lost");
        assertQuiet(s);
        Socket fresh = connect(); // accepted, but also silent
        send(fresh, "x");
        assertQuiet(fresh);
        link.heal();
        assertBroken(s);
        Socket t = connect();
        send(t, "back");
        assertEquals("back", receive(t, 4));
    }

    @Test
    void resetBreaksConnectionsButNotTheLink() throws IOException {
        Socket s = connect();
        send(s, "a");
        assertEquals("a", receive(s, 1));
        link.resetConnections();
        assertBroken(s);
        Socket t = connect();
        send(t, "b");
        assertEquals("b", receive(t, 1));
    }

    @Test
    void delayHoldsBytesButKeepsTheirOrder() throws IOException {
        Socket s = connect();
        link.delay(Duration.ofMillis(150));
        long started = System.nanoTime();
        StringBuilder sent = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            String piece = String.format("%03d,", i);
            sent.append(piece);
            send(s, piece);
        }
        String got = receive(s, sent.length());
        long ms = (System.nanoTime() - started) / 1_000_000;
        assertEquals(sent.toString(), got);
        assertTrue(ms >= 290, "the echo crossed the delayed link twice, yet came back after " + ms + " ms");
        link.delay(Duration.ZERO);
        send(s, "z");
        assertEquals("z", receive(s, 1));
    }

    @Test
    void aDownTargetLooksRefused() throws IOException {
        int free;
        try (ServerSocket probe = new ServerSocket(0)) {
            free = probe.getLocalPort();
        }
        try (LinkProxy toNowhere = new LinkProxy("a->down", new InetSocketAddress("127.0.0.1", free))) {
            Socket s = new Socket();
            sockets.add(s);
            try {
                s.connect(toNowhere.address(), 2000);
                assertBroken(s);
            } catch (java.net.SocketException resetDuringConnect) {
                // The reset can win the race with connect() itself: refused all the same.
            }
        }
    }

    @Test
    void largeTransfersPassIntact() throws IOException {
        Socket s = connect();
        byte[] data = new byte[3 * 1024 * 1024];
        new java.util.Random(1).nextBytes(data);
        Thread writer = new Thread(() -> {
            try {
                s.getOutputStream().write(data);
                s.getOutputStream().flush();
            } catch (IOException ignored) {
                // the assertion below reports it
            }
        });
        writer.start();
        byte[] back = s.getInputStream().readNBytes(data.length);
        assertArrayEquals(data, back);
    }
}
