package io.kvorum.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.kvorum.server.testing.InJvmCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** multi: the JSON file format, atomicity, and which operation failed. */
class MultiCommandTest {
    static String ep;

    @BeforeAll
    static void cluster() {
        ep = SharedCluster.endpoints();
    }

    static Run.Result kv(String... args) {
        return DataCommandsTest.kv(args);
    }

    static Run.Result multi(Path tmp, String json, String... more) throws Exception {
        Path f = Files.createTempFile(tmp, "ops", ".json");
        Files.writeString(f, json);
        String[] args = new String[2 + more.length];
        args[0] = "multi";
        args[1] = f.toString();
        System.arraycopy(more, 0, args, 2, more.length);
        return kv(args);
    }

    @Test
    void appliesAllOperationsAndPrintsEachResult(@TempDir Path tmp) throws Exception {
        DataCommandsTest.ok("create", "/m1", "--parents");
        DataCommandsTest.ok("create", "/m1/b", "b");
        DataCommandsTest.ok("set", "/m1/b", "b2");
        DataCommandsTest.ok("create", "/m1/c");
        Run.Result r = multi(tmp, """
                [{"op":"create","path":"/m1/a","data":"x","mode":"persistent"},
                 {"op":"check","path":"/m1/b","version":1},
                 {"op":"set","path":"/m1/a","data":"y","version":0},
                 {"op":"create","path":"/m1/s-","dataBase64":"AAE=","mode":"persistent_sequential"},
                 {"op":"create","path":"/m1/t","mode":"persistent_with_ttl","ttl":"1h"},
                 {"op":"delete","path":"/m1/c"}]
                """);
        assertEquals(0, r.exit(), r::toString);
        List<String> lines = r.lines();
        assertEquals("created /m1/a", lines.get(0));
        assertEquals("checked /m1/b (version 1)", lines.get(1));
        assertEquals("set /m1/a (version 1)", lines.get(2));
        assertTrue(lines.get(3).matches("created /m1/s-\\d{10}"), lines.get(3));
        assertEquals("created /m1/t", lines.get(4));
        assertEquals("deleted /m1/c", lines.get(5));
        assertEquals("y", DataCommandsTest.ok("get", "/m1/a").out());
        assertEquals(ExitCodes.NO_NODE, kv("stat", "/m1/c").exit());
    }

    @Test
    void failingCheckAppliesNothingAndNamesTheOperation(@TempDir Path tmp) throws Exception {
        DataCommandsTest.ok("create", "/m2", "v");
        Run.Result r = multi(tmp, """
                [{"op":"create","path":"/m2-new"},
                 {"op":"check","path":"/m2","version":5}]
                """);
        assertEquals(ExitCodes.PRECONDITION, r.exit(), r::toString);
        assertTrue(r.err().startsWith("Error: operation 1 (check /m2) failed, nothing was applied"), r.err());
        assertEquals(ExitCodes.NO_NODE, kv("stat", "/m2-new").exit(), "the create was not applied");
        Run.Result exists = multi(tmp, "[{\"op\":\"create\",\"path\":\"/m2\"}]");
        assertEquals(ExitCodes.NODE_EXISTS, exists.exit(), exists::toString);
        Run.Result missing = multi(tmp, "[{\"op\":\"delete\",\"path\":\"/m2-none\"}]");
        assertEquals(ExitCodes.NO_NODE, missing.exit(), missing::toString);
    }

    @Test
    void readsStdinAndPrintsJson() {
        Run.Result r = Run.with().stdin("[{\"op\":\"create\",\"path\":\"/m3\",\"data\":\"z\"},"
                + "{\"op\":\"check\",\"path\":\"/m3\"}]").run("--endpoints", ep, "multi", "-", "-o", "json");
        assertEquals(0, r.exit(), r::toString);
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        JsonArray results = o.getAsJsonArray("results");
        assertEquals("create", results.get(0).getAsJsonObject().get("op").getAsString());
        assertEquals("/m3", results.get(0).getAsJsonObject().get("path").getAsString());
        assertEquals("check", results.get(1).getAsJsonObject().get("op").getAsString());
        assertEquals(1, results.get(1).getAsJsonObject().getAsJsonObject("stat").get("dataLength").getAsInt());
        assertTrue(o.get("revision").getAsLong() > 0);
    }

    @Test
    void malformedFilesAreBadUsage(@TempDir Path tmp) throws Exception {
        for (String bad : List.of("not json", "{}", "[]", "[1]", "[{\"path\":\"/a\"}]",
                "[{\"op\":\"create\",\"path\":\"/a\",\"mode\":\"ephemeral\"}]",
                "[{\"op\":\"create\",\"path\":\"/a\",\"mode\":\"persistent_with_ttl\"}]",
                "[{\"op\":\"set\",\"path\":\"/a\",\"dat\":\"typo\"}]",
                "[{\"op\":\"check\",\"path\":\"/a\",\"version\":\"two\"}]",
                "[{\"op\":\"rename\",\"path\":\"/a\"}]")) {
            Run.Result r = multi(tmp, bad);
            assertEquals(ExitCodes.USAGE, r.exit(), () -> bad + "\n" + r);
            assertTrue(r.err().contains("Usage: kvorum multi"), r::toString);
        }
        Run.Result unreachable = Run.kvorum("--endpoints", "127.0.0.1:" + InJvmCluster.freeLoopbackPort(), "--timeout", "300ms",
                "multi", "-");
        assertEquals(ExitCodes.USAGE, unreachable.exit(), "the file is read before connecting: " + unreachable);
        Run.Result none = kv("multi", tmp.resolve("missing.json").toString());
        assertEquals(ExitCodes.USAGE, none.exit(), none::toString);
        assertTrue(none.err().contains("does not exist"), none.err());
    }
}
