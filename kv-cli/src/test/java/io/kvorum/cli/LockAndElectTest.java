package io.kvorum.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** lock (runs a command holding the lock, exports the token, passes on its exit code) and elect. */
class LockAndElectTest {
    static String ep;

    @BeforeAll
    static void cluster() {
        ep = SharedCluster.endpoints();
    }

    static Run.Background start(String... args) {
        String[] a = new String[args.length + 2];
        a[0] = "--endpoints";
        a[1] = ep;
        System.arraycopy(args, 0, a, 2, args.length);
        return Run.with().start(a);
    }

    @Test
    void runsTheCommandWithTheTokenAndExitsWithItsCode() {
        Run.Result r = start("lock", "job", "--", "sh", "-c",
                "echo \"token=$KVORUM_LOCK_TOKEN path=$KVORUM_LOCK_PATH\"; echo oops >&2; exit 3").await();
        assertEquals(3, r.exit(), r::toString);
        assertTrue(r.out().matches("token=\\d+ path=/locks/job\n"), r.out());
        assertTrue(r.err().contains("oops"), r.err());
        Run.Result ok = start("lock", "/custom/lock", "--", "true").await();
        assertEquals(0, ok.exit(), ok::toString);
        assertEquals("", DataCommandsTest.ok("ls", "/locks/job").out(), "the lock's node is gone after release");
    }

    @Test
    void aSecondHolderWaitsAndGetsALargerToken() {
        Run.Background first = start("lock", "mutex", "-o", "json").awaitLines(1);
        JsonObject held = JsonParser.parseString(first.lines().get(0)).getAsJsonObject();
        assertEquals("/locks/mutex", held.get("lock").getAsString());
        long firstToken = held.get("token").getAsLong();

        Run.Background second = start("lock", "mutex", "--", "sh", "-c", "echo $KVORUM_LOCK_TOKEN");
        Awaitility.await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5))
                .until(() -> second.running() && second.out().isEmpty());
        // Long enough to enter the queue on a loaded machine (a shorter wait can run out while entering it).
        Run.Result timedOut = start("lock", "mutex", "--wait", "2s", "--", "true").await();
        assertEquals(ExitCodes.ERROR, timedOut.exit(), timedOut::toString);
        assertTrue(timedOut.err().contains("not acquired within"), timedOut.err());

        assertEquals(0, first.interrupt().await().exit());
        Run.Result r = second.await();
        assertEquals(0, r.exit(), r::toString);
        assertTrue(Long.parseLong(r.out().strip()) > firstToken, "fencing tokens grow: " + r.out() + " > " + firstToken);
    }

    @Test
    void interruptingStopsTheCommandAndReleasesTheLock() {
        Run.Background holder = start("lock", "long", "--", "sh", "-c", "echo started; sleep 60");
        holder.awaitLines(1);
        Run.Result r = holder.interrupt().await();
        assertEquals(143, r.exit(), "the child was stopped with SIGTERM: " + r);
        Run.Result next = start("lock", "long", "--wait", "5s", "--", "true").await();
        assertEquals(0, next.exit(), next::toString);
    }

    @Test
    void lockWithoutANameIsBadUsage() {
        Run.Result r = start("lock").await();
        assertEquals(ExitCodes.USAGE, r.exit());
        assertTrue(r.err().contains("Usage: kvorum lock"), r.err());
        Run.Result slash = start("lock", "a/b", "--", "true").await();
        assertEquals(ExitCodes.USAGE, slash.exit(), slash::toString);
    }

    @Test
    void electionHandsOverWhenTheLeaderStops() {
        Run.Background a = start("elect", "primary", "node-a").awaitLines(1);
        assertTrue(a.lines().get(0).matches("elected node-a \\(fencing token \\d+\\)"), a.out());
        long tokenA = Long.parseLong(a.lines().get(0).replaceAll("\\D+", " ").trim().split(" ")[0]);

        Run.Background b = start("elect", "primary", "node-b", "-o", "json").awaitErr("campaigning");
        assertTrue(b.err().contains("the leader is node-a"), b.err());
        Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> b.out().isEmpty());

        Run.Result ra = a.interrupt().await();
        assertEquals(0, ra.exit(), ra::toString);
        b.awaitLines(1);
        JsonObject elected = JsonParser.parseString(b.lines().get(0)).getAsJsonObject();
        assertEquals("elected", elected.get("event").getAsString());
        assertEquals("node-b", elected.get("proposal").getAsString());
        assertEquals("/elections/primary", elected.get("election").getAsString());
        assertTrue(elected.get("token").getAsLong() > tokenA);
        Run.Result rb = b.interrupt().await();
        assertEquals(0, rb.exit(), rb::toString);
        List<String> lines = rb.lines();
        assertFalse(lines.isEmpty());
    }
}
