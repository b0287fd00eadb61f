package io.kvorum.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** bench: short runs of each workload; what it prints, not how fast (figures come from real clusters). */
class BenchCommandTest {
    static String ep;

    @BeforeAll
    static void cluster() {
        ep = SharedCluster.endpoints();
    }

    @Test
    void writeWorkloadPrintsProgressAndPercentiles() {
        Run.Result r = Run.kvorum("--endpoints", ep, "bench", "--workload", "write", "--clients", "4", "--keys", "50",
                "--duration", "2s", "--warmup", "0", "--prefix", "/bench-w");
        assertEquals(0, r.exit(), r::toString);
        List<String> lines = r.lines();
        assertEquals(4, lines.size(), r::toString);
        assertTrue(lines.get(0).startsWith("workload write, 4 clients on 1 connection, 256-byte values, 50 keys"),
                lines.get(0));
        assertTrue(lines.get(1).matches("[\\d,]+ ops in \\d+\\.\\d s: [\\d,]+ ops/s"), lines.get(1));
        assertTrue(lines.get(2).matches("latency ms: p50 [\\d.]+  p90 [\\d.]+  p99 [\\d.]+  p99\\.9 [\\d.]+  max [\\d.]+"),
                lines.get(2));
        assertEquals("errors: 0", lines.get(3));
        assertTrue(r.err().contains("preloading 50 keys"), r.err());
        assertTrue(r.err().lines().filter(l -> l.matches("\\[\\s*\\d+s\\].*ops/s.*p99.*errors \\d+.*")).count() >= 2,
                r.err());
        assertEquals(50, DataCommandsTest.ok("ls", "/bench-w").lines().size(), "keys preloaded");

        Run.Result again = Run.kvorum("--endpoints", ep, "bench", "--workload", "write", "--clients", "4", "--keys",
                "50", "--duration", "1s", "--warmup", "0", "--prefix", "/bench-w");
        assertEquals(0, again.exit(), again::toString);
        assertTrue(again.err().contains("50 keys under /bench-w are there from an earlier run"), again.err());
        assertFalse(again.err().contains("preloading"), again.err());
    }

    @Test
    void readAndMixedWorkloadsAsJson() {
        for (String w : List.of("read", "mixed")) {
            Run.Result r = Run.kvorum("--endpoints", ep, "bench", "--workload", w, "--clients", "3", "--connections", "2",
                    "--keys", "20", "--value-size", "16", "--duration", "1s", "--warmup", "500ms", "--consistency",
                    "serializable", "--prefix", "/bench-" + w, "-o", "json");
            assertEquals(0, r.exit(), r::toString);
            JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
            assertEquals(w, o.get("workload").getAsString());
            assertEquals(3, o.get("clients").getAsInt());
            assertEquals(2, o.get("connections").getAsInt());
            assertEquals("serializable", o.get("consistency").getAsString());
            assertTrue(o.get("ops").getAsLong() > 0, r::toString);
            assertTrue(o.get("opsPerSecond").getAsDouble() > 0);
            assertEquals(0, o.get("errors").getAsLong(), r::toString);
            JsonObject l = o.getAsJsonObject("latencyMillis");
            for (String p : List.of("p50", "p90", "p99", "p999", "max", "mean")) {
                assertTrue(l.get(p).getAsDouble() > 0, p + " in " + l);
            }
            assertTrue(l.get("p50").getAsDouble() <= l.get("p99").getAsDouble());
        }
    }

    @Test
    void aRateLimitHoldsThroughputNearIt() {
        Run.Result r = Run.kvorum("--endpoints", ep, "bench", "--workload", "read", "--clients", "4", "--keys", "10",
                "--duration", "2s", "--warmup", "0", "--rate", "100", "--prefix", "/bench-rate", "-o", "json");
        assertEquals(0, r.exit(), r::toString);
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        double rate = o.get("opsPerSecond").getAsDouble();
        assertTrue(rate > 60 && rate < 130, "about 100 ops/s, got " + rate);
        assertEquals(100.0, o.get("rate").getAsDouble());
    }
}
