package io.kvorum.jepsen.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy for one directed link A->B: A is configured to reach B at this proxy's loopback
 * port, and the proxy forwards to B's real address. Both directions of A's connections pass
 * through it (B's answers on A's streams too), so cutting it silences A->B without touching
 * B's own connections to A: one-way partitions are two proxies in different modes.
 *
 * <p>Controllable at runtime: {@link #cut()}, {@link #blackhole()}, {@link #heal()},
 * {@link #resetConnections()}, {@link #delay(Duration)}. Thread-per-direction with blocking
 * sockets: a handful of connections per link, so simplicity wins over NIO here.
 */
public final class LinkProxy implements AutoCloseable {
    private static final int CONNECT_TIMEOUT_MS = 2000;

    private final String name;
    private final InetSocketAddress target;
    private final ServerSocket server;
    private final Thread acceptor;
    private final List<Connection> connections = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final Object lock = new Object();
    private volatile LinkMode mode = LinkMode.OPEN;
    private volatile long delayNanos;
    private volatile boolean closed;

    public LinkProxy(String name, InetSocketAddress target) throws IOException {
        this.name = name;
        this.target = target;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "proxy-" + name + "-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public String name() {
        return name;
    }

    /** The loopback port A must use to reach B. */
    public int port() {
        return server.getLocalPort();
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port());
    }

    public LinkMode mode() {
        return mode;
    }

    public Duration delay() {
        return Duration.ofNanos(delayNanos);
    }

    /** Connections currently open through this link. */
    public int connections() {
        return connections.size();
    }

    /** Connections accepted since the proxy started. */
    public int accepted() {
        return accepted.get();
    }

    public void cut() {
        setMode(LinkMode.CUT);
    }

    public void blackhole() {
        setMode(LinkMode.BLACKHOLE);
    }

    /** Opens the link. Connections that lost bytes to a blackhole are reset: their streams are broken. */
    public void heal() {
        setMode(LinkMode.OPEN);
        for (Connection c : connections) {
            if (c.lostBytes()) {
                c.close(true);
            }
        }
    }

    /** Bytes are released this long after they arrive, in order: a WAN between datacenters. */
    public void delay(Duration d) {
        delayNanos = d.toNanos();
    }

    /** Resets every open connection (RST to both ends); the mode is unchanged. */
    public void resetConnections() {
        for (Connection c : connections) {
            c.close(true);
        }
    }

    private void setMode(LinkMode m) {
        synchronized (lock) {
            mode = m;
            lock.notifyAll();
        }
    }

    long delayNanos() {
        return delayNanos;
    }

    /** Blocks while the link is cut; returns the mode it may pass in (OPEN or BLACKHOLE). */
    LinkMode awaitPassable() throws InterruptedException {
        synchronized (lock) {
            while (mode == LinkMode.CUT && !closed) {
                lock.wait();
            }
            if (closed) {
                throw new InterruptedException("proxy closed");
            }
            return mode;
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            accepted.incrementAndGet();
            if (mode == LinkMode.CUT) {
                reset(client); // refused: the partition admits nothing new
                continue;
            }
            try {
                Socket upstream = new Socket();
                upstream.connect(target, CONNECT_TIMEOUT_MS);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                Connection c = new Connection(this, client, upstream, name + "-" + accepted.get());
                connections.add(c);
                c.start();
            } catch (IOException e) {
                reset(client); // B is down: A sees a refused connection, as it would without us
            }
        }
    }

    void removed(Connection c) {
        connections.remove(c);
    }

    static void reset(Socket s) {
        try {
            s.setSoLinger(true, 0);
        } catch (SocketException ignored) {
            // already closed
        }
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing more to do
        }
    }

    @Override
    public void close() {
        closed = true;
        synchronized (lock) {
            lock.notifyAll();
        }
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Connection c : connections) {
            c.close(true);
        }
        try {
            acceptor.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "link " + name + " :" + port() + " -> " + target + " " + mode
                + (delayNanos > 0 ? " +" + delayNanos / 1_000_000 + "ms" : "");
    }
}
