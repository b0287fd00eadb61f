package io.kvorum.jepsen.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PortsTest {
    @Test
    void reservedPortsAreDistinctAndNotHandedToOtherBindsUntilReleased() throws Exception {
        Set<Integer> reserved = new HashSet<>();
        try (Ports ports = Ports.reserve(30)) {
            for (int i = 0; i < 30; i++) {
                reserved.add(ports.get(i));
            }
            assertEquals(30, reserved.size(), "ports given twice: " + reserved);
            // What a link proxy does meanwhile: bind port 0. It must not get a server's port.
            for (int i = 0; i < 30; i++) {
                try (ServerSocket other = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                    assertFalse(reserved.contains(other.getLocalPort()), "port " + other.getLocalPort());
                }
            }
        }
        // Released: a server can bind it now.
        int port = reserved.iterator().next();
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
        }
    }
}
