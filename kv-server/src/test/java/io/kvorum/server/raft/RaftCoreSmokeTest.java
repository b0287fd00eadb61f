package io.kvorum.server.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RaftCoreSmokeTest {
    @Test
    void threeNodesElectReplicateAndRead() {
        LocalCluster c = new LocalCluster(1, 2, 3);
        c.elect(1);
        c.core(1).propose("a".getBytes());
        c.core(2).propose("b".getBytes());
        c.deliverAll();
        c.tickAll(1);
        for (long id = 1; id <= 3; id++) {
            assertEquals(List.of("a", "b"), c.appliedData(id), "node " + id);
            assertEquals(Set3.voters(), c.core(id).status().conf().voters());
        }
        c.core(3).readIndex(42);
        c.deliverAll();
        assertEquals(1, c.readStates.get(3L).size());
        assertEquals(42, c.readStates.get(3L).get(0).context());
        assertTrue(c.readStates.get(3L).get(0).index() >= 6);
    }

    @Test
    void singleNodeElectsItselfOnTimeout() {
        LocalCluster c = new LocalCluster(1);
        c.tickAll(25);
        assertEquals(Role.LEADER, c.core(1).status().role());
        c.core(1).propose("x".getBytes());
        c.core(1).readIndex(7);
        c.deliverAll();
        assertEquals(List.of("x"), c.appliedData(1));
        assertFalse(c.readStates.get(1L).isEmpty());
    }

    private static final class Set3 {
        static java.util.Set<Long> voters() {
            return java.util.Set.of(1L, 2L, 3L);
        }
    }
}
