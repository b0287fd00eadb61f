package io.kvorum.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.kvorum.server.testing.InJvmCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** snapshot save/status, compact and compact-storage against a real cluster. */
class MaintenanceCommandsTest {
    @TempDir
    static Path dir;
    static InJvmCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = new InJvmCluster(dir.resolve("cluster"), 3, "cli-maint");
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

    @Test
    void snapshotSaveWritesAVerifiedFileAndStatusRefusesDamagedCopies() throws Exception {
        assertEquals(0, kv("create", "/backed-up", "yes").exit());
        Path file = dir.resolve("b.snap");
        Run.Result saved = kv("snapshot", "save", file.toString(), "-o", "json");
        assertEquals(0, saved.exit(), saved::toString);
        JsonObject o = JsonParser.parseString(saved.out()).getAsJsonObject();
        assertEquals("cli-maint", o.get("clusterId").getAsString());
        assertTrue(o.get("revision").getAsLong() >= 1, saved::toString);
        assertEquals(3, o.getAsJsonArray("members").size());
        assertFalse(Files.exists(dir.resolve("b.snap.part")));

        Run.Result status = kv("snapshot", "status", file.toString());
        assertEquals(0, status.exit(), status::toString);
        assertTrue(status.out().contains("cluster:        cli-maint"), status::toString);
        assertTrue(status.out().contains("(verified)"), status::toString);

        assertEquals(2, kv("snapshot", "save", file.toString()).exit(), "an existing file is never overwritten");

        byte[] bytes = Files.readAllBytes(file);
        Path truncated = dir.resolve("t.snap");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length - 1));
        Run.Result t = kv("snapshot", "status", truncated.toString());
        assertEquals(1, t.exit(), t::toString);
        assertTrue(t.err().contains("truncated"), t::toString);
        Path corrupt = dir.resolve("c.snap");
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(corrupt, bytes);
        assertEquals(1, kv("snapshot", "status", corrupt.toString()).exit());
    }

    @Test
    void compactTrimsTheHistoryAndCompactStorageAnswersForEveryEndpoint() {
        Run.Result created = kv("create", "/compact-me", "x", "-o", "json");
        assertEquals(0, created.exit(), created::toString);
        long rev = cluster.node(cluster.awaitLeader()).state().revision();
        Run.Result c = kv("compact", Long.toString(rev));
        assertEquals(0, c.exit(), c::toString);
        assertTrue(c.out().contains("from revision " + rev), c::toString);
        assertEquals(2, kv("compact", Long.toString(rev + 1000)).exit());
        Run.Result s = kv("compact-storage", "-o", "json");
        assertEquals(0, s.exit(), s::toString);
        assertEquals(3, JsonParser.parseString(s.out()).getAsJsonObject().getAsJsonArray("endpoints").size());
    }
}
