package io.kvorum.jepsen.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.jepsen.checker.Verdict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The register workload against three real servers with TLS on every port and auth on
 * (clients log in as root over TLS; the run checks auth reports itself enabled before the
 * clients start), under the mixed nemesis for a short run: the checker must find the history
 * valid, as in the plaintext suite, and the servers' logs must show TLS on the peer and client
 * ports. Reports stay in {@code target/jepsen-secure/}; {@code -Djepsen.secure.seconds=N}
 * changes the run time. {@code bin/kvorum-jepsen run --secure} runs any workload but session.
 */
class SecureRunTest {
    private static final Duration TIME = Duration.ofSeconds(Long.getLong("jepsen.secure.seconds", 15));
    private static final Path REPORTS = Path.of("target", "jepsen-secure");

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"register"})
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void survivesMixedFaultsWithTlsAndAuth(String workload) throws Exception {
        long seed = Long.getLong("jepsen.seed", System.nanoTime());
        Path dir = REPORTS.resolve(workload + "-" + seed);
        RunResult r = TestRun.run(new RunOptions(workload, "mixed", TIME, 5, 3, seed, dir, Duration.ofSeconds(60),
                2 * TIME.toSeconds(), true));
        System.out.print(workload + " secure, seed " + seed + ": " + r.summary() + "\n");
        assertFalse(r.faults().isEmpty(), "no fault was injected: " + r.summary());
        assertEquals(Verdict.VALID, r.verdict(), r.summary());
        String logs = logs(dir.resolve("cluster"));
        assertTrue(logs.contains("(mutual TLS)"), "the peer ports ran mutual TLS");
        assertTrue(logs.contains(", TLS)"), "the client ports ran TLS");
    }

    private static String logs(Path clusterDir) throws IOException {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.list(clusterDir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".log")).toList()) {
                all.append(Files.readString(f));
            }
        }
        return all.toString();
    }
}
