package io.kvorum.server.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PeerAddressTest {
    @Test
    void parsesHostPortAndBracketedIpv6() {
        assertEquals(new PeerAddress("node-2.example", 7380), PeerAddress.parse("node-2.example:7380"));
        assertEquals(new PeerAddress("::1", 7390), PeerAddress.parse("[::1]:7390"));
        assertEquals("[::1]:7390", PeerAddress.parse("[::1]:7390").toString());
    }

    @Test
    void rejectsWhatIsNotHostPort() {
        for (String bad : new String[] {"", "host", ":7380", "host:", "host:0", "host:70000", "::1:7380", "h:x"}) {
            assertThrows(IllegalArgumentException.class, () -> PeerAddress.parse(bad), bad);
        }
    }
}
