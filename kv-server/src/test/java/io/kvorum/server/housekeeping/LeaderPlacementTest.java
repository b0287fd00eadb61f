package io.kvorum.server.housekeeping;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvorum.server.node.NodeStatus;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which voter a leader hands leadership to under a datacenter preference, and when it keeps it. */
class LeaderPlacementTest {
    private static final List<String> PREFER = List.of("dc1", "dc2");
    private static final Map<Long, String> WHERE = Map.of(1L, "dc3", 2L, "dc2", 3L, "dc1", 4L, "dc1");

    /** Node 1 leads voters 1-4 at commit 5,000; every other voter active and caught up unless changed. */
    private static NodeStatus leaderStatus(Map<Long, Boolean> active, Map<Long, Long> match) {
        Map<Long, Boolean> a = new HashMap<>(Map.of(2L, true, 3L, true, 4L, true));
        a.putAll(active);
        Map<Long, Long> m = new HashMap<>(Map.of(2L, 5_000L, 3L, 5_000L, 4L, 4_990L));
        m.putAll(match);
        return new NodeStatus(1, "leader", 1, 7, 5_000, 5_000, 5_000, 0, Map.of(), Set.of(1L, 2L, 3L, 4L), m,
                Set.of(), a);
    }

    @Test
    void handsToTheMostUpToDateVoterOfTheBestDatacenter() {
        assertEquals(3, LeaderPlacement.target(leaderStatus(Map.of(), Map.of()), "dc3", PREFER, WHERE));
        assertEquals(4, LeaderPlacement.target(leaderStatus(Map.of(), Map.of(3L, 4_000L)), "dc3", PREFER, WHERE));
    }

    @Test
    void skipsVotersThatAreDownOrFarBehind() {
        assertEquals(4, LeaderPlacement.target(leaderStatus(Map.of(3L, false), Map.of()), "dc3", PREFER, WHERE));
        long farBehind = 5_000 - LeaderPlacement.MAX_LAG - 1;
        assertEquals(2, LeaderPlacement.target(leaderStatus(Map.of(), Map.of(3L, farBehind, 4L, farBehind)), "dc3",
                PREFER, WHERE), "the next preferred datacenter when the best has nobody ready");
    }

    @Test
    void neverMovesSidewaysOrDownSoLeadershipDoesNotFlap() {
        NodeStatus s = leaderStatus(Map.of(), Map.of());
        assertEquals(0, LeaderPlacement.target(s, "dc1", PREFER, WHERE), "already in the best datacenter");
        assertEquals(0, LeaderPlacement.target(leaderStatus(Map.of(3L, false, 4L, false), Map.of()), "dc2", PREFER,
                WHERE), "dc2's other voter is no better than the leader in dc2");
        assertEquals(0, LeaderPlacement.target(s, "dc3", List.of("dc9"), WHERE),
                "no voter in a preferred datacenter: stay");
    }

    @Test
    void membersWithoutAnnouncedDatacenterRankLast() {
        assertEquals(0, LeaderPlacement.target(leaderStatus(Map.of(), Map.of()), "dc3", PREFER, Map.of()));
    }
}
