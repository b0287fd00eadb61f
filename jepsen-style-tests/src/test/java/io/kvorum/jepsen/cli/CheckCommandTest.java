package io.kvorum.jepsen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kvorum-jepsen check}: its exit codes are its contract with scripts. */
class CheckCommandTest {
    @TempDir
    Path dir;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream oldOut;
    private PrintStream oldErr;

    @BeforeEach
    void capture() {
        oldOut = System.out;
        oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(oldOut);
        System.setErr(oldErr);
    }

    private Path file(String... lines) throws IOException {
        Path p = dir.resolve("history.jsonl");
        Files.writeString(p, String.join("\n", lines) + "\n");
        return p;
    }

    private static String line(long p, String type, String f, String value, long time) {
        return "{\"process\":" + p + ",\"type\":\"" + type + "\",\"f\":\"" + f + "\",\"key\":\"k1\",\"value\":" + value
                + ",\"time\":" + time + "}";
    }

    @Test
    void zeroForALinearizableHistory() throws IOException {
        Path h = file(line(0, "invoke", "write", "3", 1200), line(0, "ok", "write", "3", 1300),
                line(1, "invoke", "read", "null", 1400), line(1, "ok", "read", "3", 1500));
        assertEquals(0, KvorumJepsen.run("check", h.toString(), "--model", "register"), err.toString());
        assertTrue(out.toString().startsWith("linearizable"), out.toString());
    }

    @Test
    void oneAndTheWindowForANonLinearizableHistory() throws IOException {
        Path h = file(line(0, "invoke", "write", "3", 1200), line(0, "ok", "write", "3", 1300),
                line(1, "invoke", "read", "null", 1400), line(1, "ok", "read", "null", 1500));
        assertEquals(1, KvorumJepsen.run("check", h.toString(), "--model", "register"));
        assertTrue(out.toString().contains("read k1 null ok [1400, 1500] (line 3)"), out.toString());
    }

    @Test
    void twoAndTheLineForBadInput() throws IOException {
        Path h = file(line(0, "invoke", "write", "3", 1200), line(0, "done", "write", "3", 1300));
        assertEquals(2, KvorumJepsen.run("check", h.toString(), "--model", "register"));
        assertTrue(err.toString().contains("line 2: unknown type \"done\""), err.toString());
    }

    @Test
    void twoForAMissingFileOrAnUnknownModel() throws IOException {
        assertEquals(2, KvorumJepsen.run("check", dir.resolve("nope").toString(), "--model", "register"));
        Path h = file(line(0, "invoke", "write", "3", 1200));
        assertEquals(2, KvorumJepsen.run("check", h.toString(), "--model", "queue"));
        assertEquals(2, KvorumJepsen.run("check", h.toString()));
    }

    @Test
    void threeWhenTheSearchRunsOutOfTime() throws IOException {
        StringBuilder b = new StringBuilder();
        int n = 30;
        for (int p = 0; p < n; p++) {
            b.append(line(p, "invoke", "write", Integer.toString(p + 1), 0)).append('\n');
        }
        for (int p = 0; p < n; p++) {
            b.append(line(p, "ok", "write", Integer.toString(p + 1), 1000)).append('\n');
        }
        for (int k = 0; k <= n; k++) {
            b.append(line(100 + k, "invoke", "read", "null", 2000 + 20L * k)).append('\n');
            b.append(line(100 + k, "ok", "read", Integer.toString(k % n + 1), 2010 + 20L * k)).append('\n');
        }
        Path h = dir.resolve("hard.jsonl");
        Files.writeString(h, b);
        assertEquals(3, KvorumJepsen.run("check", h.toString(), "--model", "register", "--time-limit", "1"));
        assertTrue(out.toString().startsWith("unknown"), out.toString());
    }

    @Test
    void jsonOutputIsTheVerdictDocument() throws IOException {
        Path h = file(line(0, "invoke", "write", "3", 1200), line(0, "ok", "write", "3", 1300));
        assertEquals(0, KvorumJepsen.run("check", h.toString(), "--model", "register", "--json"));
        assertTrue(out.toString().startsWith("{\"checker\":\"register\",\"verdict\":\"valid\""), out.toString());
    }
}
