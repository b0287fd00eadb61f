package io.kvorum.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.kvorum.server.testing.InJvmCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What a stopping node does first: a leader hands off to another voter; a follower does nothing. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LeaderHandOffTest {
    @TempDir
    Path dir;

    @Test
    void aLeaderHandsOffToAnotherVoterAndAFollowerDoesNothing() throws Exception {
        try (InJvmCluster c = new InJvmCluster(dir, 3, "handoff")) {
            c.startAll();
            long leader = c.awaitLeader();
            long follower = c.other(leader);
            assertEquals(0, LeaderHandOff.run(c.node(follower).node(), Duration.ofSeconds(5)));
            assertEquals(leader, c.awaitLeader());

            long next = LeaderHandOff.run(c.node(leader).node(), Duration.ofSeconds(5));
            assertNotEquals(0, next);
            assertNotEquals(leader, next);
            assertEquals(next, c.awaitLeader());
            assertEquals("follower", c.node(leader).node().status().role());
        }
    }

    @Test
    void aLoneLeaderHasNobodyToHandOffTo() throws Exception {
        try (InJvmCluster c = new InJvmCluster(dir, 1, "alone")) {
            c.startAll();
            long leader = c.awaitLeader();
            assertEquals(0, LeaderHandOff.run(c.node(leader).node(), Duration.ofSeconds(5)));
            assertEquals("leader", c.node(leader).node().status().role());
        }
    }
}
