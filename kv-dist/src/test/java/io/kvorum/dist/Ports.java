package io.kvorum.dist;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Free loopback ports for servers that must be told their ports before they start. */
final class Ports {
    private Ports() {
    }

    /** A port free on every one of {@code addresses} right now. */
    static int free(InetAddress... addresses) {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, addresses[0])) {
                port = s.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (freeOnAll(port, addresses)) {
                return port;
            }
        }
        throw new IllegalStateException("no port free on all of the addresses");
    }

    private static boolean freeOnAll(int port, InetAddress... addresses) {
        for (InetAddress a : addresses) {
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(a, port), 1);
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    static InetAddress loopback(int last) {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
