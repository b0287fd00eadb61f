package io.kvorum.jepsen.net;

import java.io.IOException;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicBoolean;

/** One proxied connection: the client's socket, the upstream socket, a pump each way. */
final class Connection {
    private final LinkProxy link;
    private final Socket client;
    private final Socket upstream;
    private final Pump there;
    private final Pump back;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicInteger halfCloses = new java.util.concurrent.atomic.AtomicInteger();

    Connection(LinkProxy link, Socket client, Socket upstream, String name) throws IOException {
        this.link = link;
        this.client = client;
        this.upstream = upstream;
        this.there = new Pump(link, "proxy-" + name + "-there", client, upstream, this);
        this.back = new Pump(link, "proxy-" + name + "-back", upstream, client, this);
    }

    void start() {
        there.start();
        back.start();
    }

    /** Both directions finished cleanly: the connection is over. */
    void halfClosed() {
        if (halfCloses.incrementAndGet() == 2) {
            close(false);
        }
    }

    boolean lostBytes() {
        return there.lostBytes || back.lostBytes;
    }

    /** Closes both sockets, with RST when {@code reset}; either end closing ends the connection. */
    void close(boolean reset) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (reset) {
            LinkProxy.reset(client);
            LinkProxy.reset(upstream);
        } else {
            closeQuietly(client);
            closeQuietly(upstream);
        }
        there.interrupt();
        back.interrupt();
        link.removed(this);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
