package io.kvorum.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** watch: one line per event until interrupted, text or JSON lines, node or subtree, from a revision. */
class WatchCommandTest {
    static String ep;

    @BeforeAll
    static void cluster() {
        ep = SharedCluster.endpoints();
    }

    static Run.Result ok(String... args) {
        return DataCommandsTest.ok(args);
    }

    static Run.Background watch(String... args) {
        String[] a = new String[args.length + 3];
        a[0] = "--endpoints";
        a[1] = ep;
        a[2] = "watch";
        System.arraycopy(args, 0, a, 3, args.length);
        return Run.with().start(a).awaitErr("watching");
    }

    @Test
    void printsEachChangeUntilInterrupted() {
        ok("create", "/w1");
        Run.Background w = watch("/w1");
        ok("set", "/w1", "one\ntwo");
        ok("create", "/w1/kid", "k");
        ok("delete", "/w1/kid");
        ok("delete", "/w1");
        w.awaitLines(4);
        assertTrue(w.running(), "runs until interrupted");
        Run.Result r = w.interrupt().await();
        assertEquals(0, r.exit(), r::toString);
        List<String> lines = r.lines();
        assertEquals(4, lines.size(), r::toString);
        assertTrue(lines.get(0).matches("\\d+ CHANGED /w1 one\\\\ntwo"), lines.get(0));
        assertTrue(lines.get(1).matches("\\d+ CHILDREN_CHANGED /w1"), lines.get(1));
        assertTrue(lines.get(2).matches("\\d+ CHILDREN_CHANGED /w1"), lines.get(2));
        assertTrue(lines.get(3).matches("\\d+ DELETED /w1"), lines.get(3));
    }

    @Test
    void recursiveJsonLines() {
        ok("create", "/w2");
        Run.Background w = watch("/w2", "--recursive", "-o", "json");
        ok("create", "/w2/a/b", "--parents");
        ok("set", "/w2/a/b", "B");
        w.awaitLines(3);
        Run.Result r = w.interrupt().await();
        assertEquals(0, r.exit(), r::toString);
        JsonObject last = null;
        boolean sawCreate = false;
        for (String line : r.lines()) {
            JsonObject o = JsonParser.parseString(line).getAsJsonObject();
            assertTrue(o.has("revision") && o.has("type") && o.has("path") && o.has("data") && o.has("dataBase64")
                    && o.has("stat"), line);
            sawCreate |= o.get("type").getAsString().equals("created") && o.get("path").getAsString().equals("/w2/a/b");
            last = o;
        }
        assertTrue(sawCreate, r::toString);
        assertEquals("changed", last.get("type").getAsString());
        assertEquals("/w2/a/b", last.get("path").getAsString());
        assertEquals("B", last.get("data").getAsString());
        assertEquals(1, last.getAsJsonObject("stat").get("version").getAsInt());
    }

    @Test
    void fromRevisionReplaysPastChangesAndCountStops() {
        JsonObject created = JsonParser.parseString(ok("create", "/w3", "a", "-o", "json").out()).getAsJsonObject();
        long rev = created.get("revision").getAsLong();
        ok("set", "/w3", "b");
        ok("set", "/w3", "c");
        Run.Result r = DataCommandsTest.kv("watch", "/w3", "--from-revision", Long.toString(rev), "--count", "3");
        assertEquals(0, r.exit(), r::toString);
        List<String> lines = r.lines();
        assertEquals(List.of(rev + " CREATED /w3 a", (rev + 1) + " CHANGED /w3 b", (rev + 2) + " CHANGED /w3 c"),
                lines);
    }

    @Test
    void aNodeThatDoesNotExistYetCanBeWatched() {
        Run.Background w = watch("/w4", "--count", "1");
        ok("create", "/w4", "born");
        Run.Result r = w.await();
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().matches("\\d+ CREATED /w4 born\n"), r.out());
    }
}
