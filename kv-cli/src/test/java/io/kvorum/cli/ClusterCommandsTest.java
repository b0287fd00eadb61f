package io.kvorum.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.kvorum.server.testing.InJvmCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * status, health, member and leader on a cluster of its own, in order: the last tests change
 * membership and stop nodes.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterCommandsTest {
    @TempDir
    static Path dir;
    static InJvmCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = new InJvmCluster(dir, 3, "cli-test");
        cluster.startAll();
        cluster.awaitLeader();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    static Run.Result kv(String... args) {
        List<String> a = new ArrayList<>(List.of("--endpoints", cluster.endpoints()));
        a.addAll(List.of(args));
        return Run.kvorum(a.toArray(String[]::new));
    }

    static JsonObject json(Run.Result r) {
        assertEquals(0, r.exit(), r::toString);
        return JsonParser.parseString(r.out()).getAsJsonObject();
    }

    @Test
    @Order(1)
    void statusShowsEveryEndpointInATable() {
        Run.Result r = kv("status");
        assertEquals(0, r.exit(), r::toString);
        List<String> lines = r.lines();
        assertEquals(4, lines.size(), r::toString);
        assertTrue(lines.get(0).matches(
                "ENDPOINT\\s+ID\\s+ROLE\\s+DATACENTER\\s+LEADER\\s+TERM\\s+COMMIT\\s+APPLIED\\s+DB_SIZE\\s+VERSION"),
                lines.get(0));
        long leaders = lines.stream().skip(1).filter(l -> l.contains(" leader ")).count();
        assertEquals(1, leaders, r::toString);
        for (int i = 1; i <= 3; i++) {
            assertTrue(lines.get(i).startsWith(cluster.clientAddress(i) + " "), lines.get(i));
        }
    }

    @Test
    @Order(2)
    void statusJson() {
        JsonArray endpoints = json(kv("status", "-o", "json")).getAsJsonArray("endpoints");
        assertEquals(3, endpoints.size());
        long leader = cluster.awaitLeader();
        for (JsonElement e : endpoints) {
            JsonObject o = e.getAsJsonObject();
            for (String f : List.of("endpoint", "id", "role", "leaderId", "term", "commitIndex", "appliedIndex",
                    "dbSizeBytes", "version", "revision")) {
                assertTrue(o.has(f), f + " in " + o);
            }
            assertTrue(o.get("error").isJsonNull());
            assertEquals(leader, o.get("leaderId").getAsLong());
            assertTrue(o.get("dbSizeBytes").getAsLong() > 0);
        }
    }

    @Test
    @Order(3)
    void healthyClusterExitsZero() {
        Run.Result r = kv("health");
        assertEquals(0, r.exit(), r::toString);
        List<String> lines = r.lines();
        assertEquals(5, lines.size(), r::toString);
        for (int i = 1; i <= 3; i++) {
            assertTrue(lines.get(i).contains(" healthy "), lines.get(i));
        }
        assertTrue(lines.get(4).startsWith("cluster") && lines.get(4).contains(" healthy "), lines.get(4));
        JsonObject o = json(kv("health", "-o", "json"));
        assertTrue(o.get("healthy").getAsBoolean());
        assertEquals(3, o.getAsJsonArray("endpoints").size());
        assertTrue(o.getAsJsonObject("cluster").get("healthy").getAsBoolean());
    }

    @Test
    @Order(4)
    void leaderTransfer() {
        long before = cluster.awaitLeader();
        long target = before == 3 ? 2 : 3;
        Run.Result r = kv("leader", "transfer", "--to", Long.toString(target));
        assertEquals(0, r.exit(), r::toString);
        assertEquals("leader is now node " + target + "\n", r.out());
        JsonObject o = json(kv("leader", "transfer", "-o", "json"));
        assertNotEquals(target, o.get("leaderId").getAsLong(), "without --to: another voter");
    }

    @Test
    @Order(5)
    void memberListAddPromoteRemove() throws Exception {
        Run.Result list = kv("member", "list");
        assertEquals(0, list.exit(), list::toString);
        assertEquals(4, list.lines().size(), list::toString);
        assertTrue(list.lines().get(0)
                        .matches("ID\\s+ROLE\\s+PEER\\s+CLIENT\\s+DATACENTER\\s+ZONE\\s+VOTER\\s+MATCH\\s+ACTIVE"),
                list.lines().get(0));

        cluster.reserve(4);
        Run.Result added = retrying(() -> kv("member", "add", "4", cluster.peerAddress(4L)));
        String learnerRow = "4\\s+\\S+\\s+" + cluster.peerAddress(4L) + "\\s+.*\\s+no\\s+.*";
        assertTrue(added.out().lines().anyMatch(l -> l.matches(learnerRow)), added::toString);
        Run.Result again = kv("member", "add", "4", cluster.peerAddress(4L));
        assertEquals(ExitCodes.PRECONDITION, again.exit(), again::toString);

        cluster.start(4, true);
        Run.Result promoted = retrying(() -> kv("member", "promote", "4", "-o", "json"));
        JsonObject m4 = member(JsonParser.parseString(promoted.out()).getAsJsonObject(), 4);
        assertFalse(m4.get("learner").getAsBoolean(), promoted::toString);

        Run.Result removed = retrying(() -> kv("member", "remove", "4", "-o", "json"));
        JsonObject after = JsonParser.parseString(removed.out()).getAsJsonObject();
        assertEquals(3, after.getAsJsonArray("members").size(), removed::toString);
        assertTrue(after.get("leaderId").getAsLong() > 0);
        cluster.stop(4);
    }

    @Test
    @Order(6)
    void withoutAQuorumHealthAndStatusExitSix() {
        long leader = cluster.awaitLeader();
        long keep = leader == 1 ? 2 : 1;
        for (long id = 1; id <= 3; id++) {
            if (id != keep) {
                cluster.stop(id);
            }
        }
        Run.Result health = kv("health", "--timeout", "1s");
        assertEquals(ExitCodes.UNAVAILABLE, health.exit(), health::toString);
        assertTrue(health.lines().get(health.lines().size() - 1).contains("unhealthy"), health::toString);
        Run.Result status = kv("status", "--timeout", "1s");
        assertEquals(ExitCodes.UNAVAILABLE, status.exit(), status::toString);
        assertTrue(status.out().contains("unreachable"), status::toString);
        Run.Result write = kv("set", "/", "x", "--timeout", "1s");
        assertEquals(ExitCodes.UNAVAILABLE, write.exit(), write::toString);
    }

    private static JsonObject member(JsonObject membership, long id) {
        for (JsonElement e : membership.getAsJsonArray("members")) {
            if (e.getAsJsonObject().get("id").getAsLong() == id) {
                return e.getAsJsonObject();
            }
        }
        throw new AssertionError("no member " + id + " in " + membership);
    }

    /** Membership changes are refused while another is in flight or a learner catches up: retry those. */
    private static Run.Result retrying(java.util.function.Supplier<Run.Result> call) {
        Run.Result[] last = new Run.Result[1];
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            last[0] = call.get();
            return last[0].exit() == 0;
        });
        return last[0];
    }
}
