package io.kvorum.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** create --ephemeral: prints the path, holds the session until interrupted, and the node goes with it. */
class EphemeralCreateTest {
    static String ep;

    @BeforeAll
    static void cluster() {
        ep = SharedCluster.endpoints();
    }

    @Test
    void theNodeLivesUntilTheCommandIsInterrupted() {
        Run.Background create = Run.with().start("--endpoints", ep, "create", "/eph", "here", "--ephemeral")
                .awaitLines(1);
        assertEquals("/eph", create.lines().get(0));
        assertTrue(create.running(), "holds the session");
        JsonObject stat = JsonParser.parseString(DataCommandsTest.ok("stat", "/eph", "-o", "json").out())
                .getAsJsonObject().getAsJsonObject("stat");
        assertEquals("ephemeral", stat.get("mode").getAsString());
        assertTrue(stat.get("ephemeralOwner").getAsLong() != 0);
        assertTrue(create.err().contains("Ctrl-C"), create.err());
        Run.Result r = create.interrupt().await();
        assertEquals(0, r.exit(), r::toString);
        // Closing the session deletes the node at once, not after the TTL.
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() ->
                DataCommandsTest.kv("stat", "/eph").exit() == ExitCodes.NO_NODE);
    }

    @Test
    void sequentialEphemeralAsJson() {
        DataCommandsTest.ok("create", "/ephs");
        Run.Background create = Run.with().start("--endpoints", ep, "create", "/ephs/m-", "-e", "-s", "-o", "json",
                "--session-ttl", "3s").awaitLines(1);
        JsonObject o = JsonParser.parseString(create.lines().get(0)).getAsJsonObject();
        String path = o.get("path").getAsString();
        assertTrue(path.matches("/ephs/m-\\d{10}"), path);
        assertEquals(o.get("sessionId").getAsLong(), o.getAsJsonObject("stat").get("ephemeralOwner").getAsLong());
        assertEquals("ephemeral_sequential", o.getAsJsonObject("stat").get("mode").getAsString());
        assertEquals(0, create.interrupt().await().exit());
        assertEquals(ExitCodes.NO_NODE, DataCommandsTest.kv("stat", path).exit());
    }

    @Test
    void ephemeralNodesCannotHaveChildrenExitFive() {
        Run.Background create = Run.with().start("--endpoints", ep, "create", "/eph2", "-e").awaitLines(1);
        Run.Result child = DataCommandsTest.kv("create", "/eph2/child");
        assertEquals(ExitCodes.PRECONDITION, child.exit(), child::toString);
        create.interrupt().await();
    }
}
