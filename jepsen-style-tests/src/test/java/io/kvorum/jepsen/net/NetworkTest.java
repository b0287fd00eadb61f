package io.kvorum.jepsen.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class NetworkTest {
    private static final List<Long> FIVE = List.of(1L, 2L, 3L, 4L, 5L);

    /** Nodes each node can send to, itself included. */
    private static Set<Long> reach(Grudge g, long a, List<Long> nodes) {
        Set<Long> out = new TreeSet<>();
        for (long b : nodes) {
            if (!g.isCut(a, b)) {
                out.add(b);
            }
        }
        return out;
    }

    @Test
    void everyPeerIsReachedThroughItsOwnLink() throws IOException {
        Map<Long, InetSocketAddress> peers = new TreeMap<>();
        for (long id = 1; id <= 3; id++) {
            peers.put(id, new InetSocketAddress("127.0.0.1", 7370 + (int) id));
        }
        try (Network net = new Network(peers)) {
            String spec = net.initialClusterFor(2);
            assertEquals("1=127.0.0.1:" + net.link(2, 1).port() + ",2=127.0.0.1:7372,3=127.0.0.1:"
                    + net.link(2, 3).port(), spec);
            net.apply(Partitions.isolate(1, net.nodes()));
            assertEquals(LinkMode.CUT, net.link(1, 2).mode());
            assertEquals(LinkMode.CUT, net.link(3, 1).mode());
            assertEquals(LinkMode.OPEN, net.link(2, 3).mode());
            net.apply(Partitions.oneWay(2, 3));
            assertEquals(LinkMode.OPEN, net.link(1, 2).mode(), "applying a grudge heals what it does not cut");
            assertEquals(LinkMode.CUT, net.link(2, 3).mode());
            assertEquals(LinkMode.OPEN, net.link(3, 2).mode());
            net.healAll();
            assertEquals(LinkMode.OPEN, net.link(2, 3).mode());
        }
    }

    @Test
    void randomHalvesSplitMinorityFromMajority() {
        Grudge g = Partitions.randomHalves(FIVE, new Random(3));
        int isolatedPairs = 0;
        for (long a : FIVE) {
            int size = reach(g, a, FIVE).size();
            assertTrue(size == 2 || size == 3, g.toString());
            isolatedPairs += size == 2 ? 1 : 0;
        }
        assertEquals(2, isolatedPairs);
    }

    @Test
    void aMajorityRingGivesEveryNodeADifferentMajority() {
        Grudge g = Partitions.majorityRing(FIVE, new Random(5));
        Set<Set<Long>> seen = new HashSet<>();
        for (long a : FIVE) {
            Set<Long> r = reach(g, a, FIVE);
            assertEquals(3, r.size(), g.toString());
            assertTrue(seen.add(r), "two nodes see the same majority: " + g);
            for (long b : r) {
                assertFalse(g.isCut(b, a), "the ring is symmetric");
            }
        }
    }

    @Test
    void aBridgeNodeReachesEveryone() {
        Grudge g = Partitions.bridge(FIVE, new Random(7));
        int bridges = 0;
        for (long a : FIVE) {
            Set<Long> r = reach(g, a, FIVE);
            if (r.size() == 5) {
                bridges++;
            } else {
                assertEquals(3, r.size(), "each side is two nodes plus the bridge: " + g);
            }
        }
        assertEquals(1, bridges, g.toString());
    }

    @Test
    void oneWayAndMuteAreAsymmetric() {
        Grudge g = Partitions.oneWay(1, 2);
        assertTrue(g.isCut(1, 2));
        assertFalse(g.isCut(2, 1));
        Grudge m = Partitions.mute(Set.of(3L), FIVE);
        assertTrue(m.isCut(3, 1));
        assertFalse(m.isCut(1, 3));
    }
}
