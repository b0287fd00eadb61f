package io.kvorum.jepsen.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Free loopback ports for servers that must be told their port before they start.
 *
 * <p>A port is only known free while a socket holds it: one probed and released at once may be
 * handed out again by the next bind to port 0 (seen: two nodes given the same client port, and
 * a link proxy could take a port chosen for a server that has not started yet). So a cluster's
 * ports are {@linkplain #reserve reserved} together and held until everything else that binds
 * port 0 in its set-up (the link proxies) has bound, then released for the servers to take.
 */
final class Ports implements AutoCloseable {
    private final List<ServerSocket> held;
    private final int[] ports;

    private Ports(List<ServerSocket> held) {
        this.held = held;
        this.ports = held.stream().mapToInt(ServerSocket::getLocalPort).toArray();
    }

    /** {@code count} distinct free loopback ports, held until {@link #close}. */
    static Ports reserve(int count) {
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                ServerSocket s = new ServerSocket();
                held.add(s);
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
            }
            return new Ports(held);
        } catch (IOException e) {
            closeAll(held);
            throw new UncheckedIOException(e);
        }
    }

    /** The {@code i}-th reserved port. */
    int get(int i) {
        return ports[i];
    }

    /** Releases the ports: the servers may bind them now. */
    @Override
    public void close() {
        closeAll(held);
    }

    private static void closeAll(List<ServerSocket> sockets) {
        for (ServerSocket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // nothing to release
            }
        }
    }
}
