package io.kvorum.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * Which endpoints the built-in channel factory connects to without gRPC's DNS resolver: IP
 * literals only; everything else goes to the resolver as before.
 */
class IpLiteralTest {
    @Test
    void ipv4AndBracketedIpv6LiteralsAreUsedAsTheyAre() {
        InetSocketAddress v4 = KvorumClientBuilder.ipLiteral("127.0.0.1:7379");
        assertEquals("127.0.0.1", v4.getAddress().getHostAddress());
        assertEquals(7379, v4.getPort());
        InetSocketAddress v6 = KvorumClientBuilder.ipLiteral("[::1]:7380");
        assertEquals("0:0:0:0:0:0:0:1", v6.getAddress().getHostAddress());
        assertEquals(7380, v6.getPort());
    }

    @Test
    void namesAndMalformedAddressesAreLeftToTheResolver() {
        assertNull(KvorumClientBuilder.ipLiteral("localhost:7379"));
        assertNull(KvorumClientBuilder.ipLiteral("node-1.example:7379"));
        assertNull(KvorumClientBuilder.ipLiteral("256.1.1.1:7379"), "not an IPv4 literal: would be looked up as a name");
        assertNull(KvorumClientBuilder.ipLiteral("10.0.0.1:port"));
        assertNull(KvorumClientBuilder.ipLiteral("10.0.0.1:70000"));
        assertNull(KvorumClientBuilder.ipLiteral("[not-v6]:7379"));
    }
}
