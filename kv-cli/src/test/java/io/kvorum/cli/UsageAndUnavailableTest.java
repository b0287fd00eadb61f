package io.kvorum.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.server.testing.InJvmCluster;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Exit 2 (bad usage: the subcommand's usage is printed) and exit 6 (nothing listens at the
 * endpoints): no cluster needed.
 */
class UsageAndUnavailableTest {
    static String closed;

    @BeforeAll
    static void closedPort() throws IOException {
        // Free a moment ago, nothing listens there now.
        closed = "127.0.0.1:" + InJvmCluster.freeLoopbackPort();
    }

    static void assertUsage(String expectedUsageOf, String... args) {
        Run.Result r = Run.kvorum(args);
        assertEquals(ExitCodes.USAGE, r.exit(), r::toString);
        assertEquals("", r.out(), r::toString);
        assertTrue(r.err().contains("Usage: kvorum " + (expectedUsageOf.isEmpty() ? "[" : expectedUsageOf + " ")),
                r::toString);
    }

    @Test
    void badUsageExitsTwoWithTheSubcommandsUsage() {
        assertUsage("", "--endpoints", closed);
        assertUsage("get", "get");
        assertUsage("get", "get", "/a", "--no-such-option");
        assertUsage("set", "set", "/a", "--version", "not-a-number", "x");
        assertUsage("create", "create", "/a", "--ttl", "soon");
        assertUsage("create", "create", "/a", "--container", "--ephemeral");
        assertUsage("set", "set", "/a");
        assertUsage("watch", "watch");
        assertUsage("multi", "multi");
        assertUsage("member", "member");
        assertUsage("member add", "member", "add", "4");
        assertUsage("leader", "leader");
        assertUsage("bench", "bench", "--workload", "sideways");
        assertUsage("ls", "ls", "/", "--page-size", "0");
        assertUsage("get", "get", "/a", "--timeout", "-1s");
        assertUsage("get", "get", "/a", "--consistency", "eventual");
        assertUsage("get", "--endpoints", "no-port", "get", "/a");
        assertUsage("", "nope");
    }

    @Test
    void unknownSubcommandSaysSo() {
        Run.Result r = Run.kvorum("frobnicate");
        assertEquals(ExitCodes.USAGE, r.exit());
        assertTrue(r.err().contains("frobnicate"), r.err());
    }

    @Test
    void helpAndVersionExitZero() {
        Run.Result help = Run.kvorum("--help");
        assertEquals(0, help.exit());
        for (String sub : List.of("create", "get", "set", "delete", "ls", "stat", "watch", "multi", "lock", "elect",
                "member", "leader",
                "status", "health", "service", "bench", "completion")) {
            assertTrue(help.out().contains("  " + sub), sub + " in\n" + help.out());
        }
        assertTrue(help.out().contains("Exit codes"), help.out());
        Run.Result sub = Run.kvorum("create", "--help");
        assertEquals(0, sub.exit());
        assertTrue(sub.out().contains("--ephemeral"), sub.out());
        assertEquals(0, Run.kvorum("--version").exit());
    }

    @Test
    void completionPrintsABashScript() {
        Run.Result r = Run.kvorum("completion");
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().contains("complete -F"), r.out().substring(0, 200));
        assertTrue(r.out().contains("watch") && r.out().contains("--from-revision"), "covers subcommands and options");
    }

    @Test
    void nothingListeningExitsSixWithinTheTimeout() {
        for (String[] args : List.of(new String[] {"get", "/a"}, new String[] {"create", "/a", "x"},
                new String[] {"set", "/a", "x"}, new String[] {"ls", "/"}, new String[] {"stat", "/a"},
                new String[] {"delete", "/a"}, new String[] {"member", "list"}, new String[] {"status"},
                new String[] {"health"}, new String[] {"watch", "/a"}, new String[] {"lock", "x", "--", "true"},
                new String[] {"leader", "transfer"}, new String[] {"bench", "--duration", "1s"})) {
            long t0 = System.nanoTime();
            Run.Result r = Run.kvorum(concat(new String[] {"--endpoints", closed, "--timeout", "500ms"}, args));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(ExitCodes.UNAVAILABLE, r.exit(), () -> String.join(" ", args) + "\n" + r);
            assertTrue(r.err().contains(closed) || r.out().contains(closed), r::toString);
            assertTrue(ms < 10_000, String.join(" ", args) + " took " + ms + " ms");
        }
    }

    @Test
    void theEnvironmentsEndpointsAreUsedAndTheOptionWins() {
        Run.Result env = Run.with().env(Map.of("KVORUM_ENDPOINTS", closed)).run("get", "/a", "--timeout", "300ms");
        assertEquals(ExitCodes.UNAVAILABLE, env.exit(), env::toString);
        assertTrue(env.err().contains(closed), env.err());
        GlobalOptions o = new GlobalOptions();
        assertEquals(List.of("127.0.0.1:7379"), o.endpoints(Map.of()));
        assertEquals(List.of("a:1", "b:2"), o.endpoints(Map.of("KVORUM_ENDPOINTS", "a:1, b:2")));
        o.endpoints = "c:3";
        assertEquals(List.of("c:3"), o.endpoints(Map.of("KVORUM_ENDPOINTS", "a:1")));
    }

    @Test
    void durations() {
        assertEquals(Duration.ofMillis(500), DurationConverter.parse("500ms"));
        assertEquals(Duration.ofSeconds(5), DurationConverter.parse("5s"));
        assertEquals(Duration.ofSeconds(5), DurationConverter.parse("5"));
        assertEquals(Duration.ofMillis(1500), DurationConverter.parse("1.5s"));
        assertEquals(Duration.ofMinutes(2), DurationConverter.parse("2m"));
        assertEquals(Duration.ofHours(1), DurationConverter.parse("1h"));
        assertEquals(Duration.ofSeconds(7), DurationConverter.parse("PT7S"));
        assertThrows(CommandLine.TypeConversionException.class, () -> DurationConverter.parse("0s"));
        assertThrows(CommandLine.TypeConversionException.class, () -> DurationConverter.parse("later"));
    }

    static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
