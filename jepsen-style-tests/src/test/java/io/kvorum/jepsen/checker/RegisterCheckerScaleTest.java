package io.kvorum.jepsen.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.jepsen.history.Event;
import io.kvorum.jepsen.history.HistoryReader;
import io.kvorum.jepsen.history.RegisterHistory;
import io.kvorum.jepsen.history.RegisterOp;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Generated histories of a simulated linearizable register, checked at the size a test run
 * produces. Times are printed, never asserted: the machine is shared.
 */
class RegisterCheckerScaleTest {

    private static CheckResult checkTimed(String what, List<Event> events) {
        // Round-trip through the text format, as the CLI would read it.
        StringBuilder text = new StringBuilder();
        for (Event e : events) {
            text.append(e.toJson()).append('\n');
        }
        List<RegisterOp> ops = RegisterHistory.of(HistoryReader.readString(text.toString()));
        long started = System.nanoTime();
        CheckResult r = new RegisterChecker(Duration.ofSeconds(60)).check(ops);
        System.out.printf("%s: %d ops, verdict %s in %d ms%n", what, ops.size(), r.verdict().json(),
                (System.nanoTime() - started) / 1_000_000);
        return r;
    }

    @Test
    void tenThousandLinearizableOpsOverTenKeysWithInfoOps() {
        RegisterSimulator sim = new RegisterSimulator(42, 10_000, 10, 5, 0.01);
        CheckResult r = checkTimed("10,000 ops / 10 keys / concurrency 5 / 1% info", sim.events());
        assertEquals(Verdict.VALID, r.verdict(), r.summary());
    }

    @Test
    void aStaleReadInjectedIntoTenThousandOpsIsCaught() {
        RegisterSimulator sim = new RegisterSimulator(7, 10_000, 10, 5, 0.01);
        assertTrue(sim.injectStaleRead());
        CheckResult r = checkTimed("10,000 ops with one stale read", sim.events());
        assertEquals(Verdict.INVALID, r.verdict(), r.summary());
        assertEquals(1, ((List<?>) r.details().get("nonLinearizableKeys")).size());
        System.out.println(r.summary());
    }

    @Test
    void manySeedsOfSmallerHistoriesAreAllLinearizable() {
        for (long seed = 0; seed < 40; seed++) {
            RegisterSimulator sim = new RegisterSimulator(seed, 500, 2, 6, 0.05);
            CheckResult r = new RegisterChecker(Duration.ofSeconds(30), 1).check(RegisterHistory.of(sim.events()));
            assertEquals(Verdict.VALID, r.verdict(), "seed " + seed + ": " + r.summary());
        }
    }

    @Test
    void manySeedsWithAStaleReadAreAllCaught() {
        for (long seed = 0; seed < 40; seed++) {
            RegisterSimulator sim = new RegisterSimulator(seed, 500, 2, 6, 0.05);
            if (!sim.injectStaleRead()) {
                continue;
            }
            CheckResult r = new RegisterChecker(Duration.ofSeconds(30), 1).check(RegisterHistory.of(sim.events()));
            assertEquals(Verdict.INVALID, r.verdict(), "seed " + seed);
        }
    }

    @Test
    void oneHotKeyWithTwoThousandOps() {
        RegisterSimulator sim = new RegisterSimulator(3, 2_000, 1, 5, 0.01);
        CheckResult r = checkTimed("2,000 ops on one key / concurrency 5 / 1% info", sim.events());
        assertEquals(Verdict.VALID, r.verdict(), r.summary());
    }
}
