package io.kvorum.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** create, get, set, delete, ls and stat against a real 3-node cluster: output and exit codes. */
class DataCommandsTest {
    static String ep;

    @BeforeAll
    static void cluster() {
        ep = SharedCluster.endpoints();
    }

    static Run.Result kv(String... args) {
        List<String> a = new ArrayList<>(List.of("--endpoints", SharedCluster.endpoints()));
        a.addAll(List.of(args));
        return Run.kvorum(a.toArray(String[]::new));
    }

    static Run.Result ok(String... args) {
        Run.Result r = kv(args);
        assertEquals(0, r.exit(), r::toString);
        return r;
    }

    static JsonObject json(Run.Result r) {
        return JsonParser.parseString(r.out()).getAsJsonObject();
    }

    @Test
    void createThenGetPrintsTheDataAsIs() {
        assertEquals("/d1\n", ok("create", "/d1", "hello world").out());
        Run.Result get = ok("get", "/d1");
        assertEquals("hello world", get.out(), "no newline added");
        assertEquals("", get.err());
    }

    @Test
    void getWithStatPrintsDataThenStat() {
        ok("create", "/d2", "v");
        List<String> lines = ok("get", "/d2", "--stat").lines();
        assertEquals("v", lines.get(0));
        assertTrue(lines.contains("version = 0"), lines::toString);
        assertTrue(lines.contains("dataLength = 1"), lines::toString);
        assertTrue(lines.contains("mode = persistent"), lines::toString);
    }

    @Test
    void getJsonHasStableFields() {
        ok("create", "/d3", "x\ny");
        JsonObject o = json(ok("get", "/d3", "-o", "json"));
        assertEquals("/d3", o.get("path").getAsString());
        assertEquals("x\ny", o.get("data").getAsString());
        assertEquals("eAp5", o.get("dataBase64").getAsString());
        JsonObject stat = o.getAsJsonObject("stat");
        for (String f : List.of("createRevision", "modRevision", "version", "childrenVersion", "ephemeralOwner",
                "dataLength", "numChildren", "ctimeMillis", "mtimeMillis", "mode", "ttlMillis")) {
            assertTrue(stat.has(f), f);
        }
        assertEquals(3, stat.get("dataLength").getAsInt());
        assertTrue(o.get("revision").getAsLong() > 0);
    }

    @Test
    void globalOptionsWorkBeforeTheSubcommandToo() {
        ok("create", "/d4", "a");
        Run.Result r = Run.kvorum("--endpoints", ep, "--output", "json", "--consistency", "serializable",
                "--timeout", "3s", "get", "/d4");
        assertEquals(0, r.exit(), r::toString);
        assertEquals("a", json(r).get("data").getAsString());
    }

    @Test
    void endpointsComeFromTheEnvironmentWhenNotGiven() {
        ok("create", "/d5", "from-env");
        Run.Result r = Run.with().env(Map.of("KVORUM_ENDPOINTS", ep)).run("get", "/d5");
        assertEquals(0, r.exit(), r::toString);
        assertEquals("from-env", r.out());
    }

    @Test
    void dataFromStdinAndFromAFile(@TempDir Path tmp) throws Exception {
        Run.Result r = Run.with().stdin("piped\n").run("--endpoints", ep, "create", "/d6", "-");
        assertEquals(0, r.exit(), r::toString);
        assertEquals("piped\n", ok("get", "/d6").out());
        byte[] bin = {0, 1, 2, (byte) 0xff, '\n'};
        Path f = tmp.resolve("data.bin");
        Files.write(f, bin);
        ok("create", "/d7", "--data-file", f.toString());
        assertArrayEquals(bin, ok("get", "/d7").outBytes(), "binary data comes back byte for byte");
        ok("set", "/d7", "--data-file", f.toString());
        JsonObject o = json(ok("get", "/d7", "-o", "json"));
        assertTrue(o.get("data").isJsonNull(), "not UTF-8: data is null, dataBase64 has the bytes");
        assertEquals("AAEC/wo=", o.get("dataBase64").getAsString());
    }

    @Test
    void createModes() {
        ok("create", "/seq");
        String first = ok("create", "/seq/job-", "--sequential").out().strip();
        String second = ok("create", "/seq/job-", "-s").out().strip();
        assertTrue(first.matches("/seq/job-\\d{10}"), first);
        assertTrue(second.compareTo(first) > 0, second + " after " + first);
        ok("create", "/box", "--container");
        assertEquals("container", json(ok("stat", "/box", "-o", "json")).getAsJsonObject("stat").get("mode")
                .getAsString());
        ok("create", "/ttl", "--ttl", "1h");
        JsonObject st = json(ok("stat", "/ttl", "-o", "json")).getAsJsonObject("stat");
        assertEquals("persistent_with_ttl", st.get("mode").getAsString());
        assertEquals(3_600_000, st.get("ttlMillis").getAsLong());
        JsonObject created = json(ok("create", "/ttls-", "--ttl", "1h", "--sequential", "-o", "json"));
        assertTrue(created.get("path").getAsString().startsWith("/ttls-"));
        assertEquals("persistent_sequential_with_ttl", created.getAsJsonObject("stat").get("mode").getAsString());
    }

    @Test
    void createWithParentsMakesTheAncestors() {
        ok("create", "/p1/p2/p3", "deep", "--parents");
        assertEquals("deep", ok("get", "/p1/p2/p3").out());
    }

    @Test
    void setWithAndWithoutVersion() {
        ok("create", "/s1", "a");
        assertEquals("/s1 version 1\n", ok("set", "/s1", "b").out());
        assertEquals("/s1 version 2\n", ok("set", "/s1", "c", "--version", "1").out());
        Run.Result stale = kv("set", "/s1", "d", "--version", "1");
        assertEquals(ExitCodes.PRECONDITION, stale.exit(), stale::toString);
        assertTrue(stale.err().startsWith("Error: "), stale.err());
        assertEquals(1, stale.err().lines().count(), "one sentence: " + stale.err());
        assertEquals("c", ok("get", "/s1").out());
        assertEquals(3, json(ok("set", "/s1", "e", "-o", "json")).getAsJsonObject("stat").get("version").getAsInt());
    }

    @Test
    void noSuchNodeExitsThree() {
        for (String[] args : List.of(new String[] {"get", "/nope"}, new String[] {"stat", "/nope"},
                new String[] {"set", "/nope", "x"}, new String[] {"delete", "/nope"}, new String[] {"ls", "/nope"},
                new String[] {"create", "/nope/child"})) {
            Run.Result r = kv(args);
            assertEquals(ExitCodes.NO_NODE, r.exit(), () -> String.join(" ", args) + "\n" + r);
            assertEquals("", r.out());
            assertTrue(r.err().startsWith("Error: ") && r.err().contains("/nope"), r.err());
        }
    }

    @Test
    void existingNodeExitsFour() {
        ok("create", "/e1");
        Run.Result r = kv("create", "/e1", "again");
        assertEquals(ExitCodes.NODE_EXISTS, r.exit(), r::toString);
        assertTrue(r.err().contains("/e1"), r.err());
    }

    @Test
    void deleteNotEmptyExitsFiveAndRecursiveDeletesTheSubtree() {
        ok("create", "/t", "--parents");
        ok("create", "/t/a/b/c", "--parents");
        ok("create", "/t/a/x");
        ok("create", "/t/y");
        Run.Result notEmpty = kv("delete", "/t");
        assertEquals(ExitCodes.PRECONDITION, notEmpty.exit(), notEmpty::toString);
        Run.Result badVersion = kv("delete", "/t", "-r", "--version", "7");
        assertEquals(ExitCodes.PRECONDITION, badVersion.exit(), badVersion::toString);
        assertEquals(0, kv("stat", "/t/a/b/c").exit(), "a bad version deletes nothing");
        assertEquals("deleted /t and 5 nodes under it\n", ok("delete", "/t", "--recursive").out());
        assertEquals(ExitCodes.NO_NODE, kv("stat", "/t").exit());
        ok("create", "/u");
        JsonObject o = json(ok("delete", "/u", "--version", "0", "-o", "json"));
        assertEquals(1, o.get("deleted").getAsInt());
        assertEquals("/u", o.get("path").getAsString());
    }

    @Test
    void lsListsPaginatedAndRecursively() {
        ok("create", "/l", "--parents");
        for (int i = 0; i < 7; i++) {
            ok("create", "/l/c" + i, "v" + i);
        }
        ok("create", "/l/c3/deep", "--parents");
        List<String> names = ok("ls", "/l", "--page-size", "2").lines();
        assertEquals(List.of("c0", "c1", "c2", "c3", "c4", "c5", "c6"), names);
        List<String> all = ok("ls", "/l", "-R", "--page-size", "3").lines();
        assertEquals(List.of("/l/c0", "/l/c1", "/l/c2", "/l/c3", "/l/c3/deep", "/l/c4", "/l/c5", "/l/c6"), all);
        List<String> table = ok("ls", "/l", "--stat").lines();
        assertTrue(table.get(0).startsWith("NAME"), table.get(0));
        assertTrue(table.get(4).matches("c3\\s+0\\s+2\\s+1\\s+persistent\\s+\\d+"), table.get(4));
        JsonObject o = json(ok("ls", "/l", "-R", "--stat", "-o", "json"));
        JsonArray children = o.getAsJsonArray("children");
        assertEquals(8, children.size());
        assertEquals("/l/c3/deep", children.get(4).getAsJsonObject().get("path").getAsString());
        assertEquals("deep", children.get(4).getAsJsonObject().get("name").getAsString());
        assertEquals(2, children.get(0).getAsJsonObject().getAsJsonObject("stat").get("dataLength").getAsInt());
        assertFalse(ok("ls").lines().isEmpty(), "ls without a path lists /");
    }

    @Test
    void statPrintsTheStat() {
        ok("create", "/st", "12345");
        List<String> lines = ok("stat", "/st").lines();
        assertTrue(lines.contains("dataLength = 5"), lines::toString);
        assertTrue(lines.contains("ephemeralOwner = 0"), lines::toString);
        assertEquals(5, json(ok("stat", "/st", "--output", "json")).getAsJsonObject("stat").get("dataLength")
                .getAsInt());
    }

    @Test
    void serverRefusedArgumentsExitTwo() {
        Run.Result r = kv("create", "no-slash");
        assertEquals(ExitCodes.USAGE, r.exit(), r::toString);
        Run.Result root = kv("delete", "/");
        assertEquals(ExitCodes.USAGE, root.exit(), root::toString);
        assertTrue(root.err().contains("Usage:"), root.err());
    }
}
