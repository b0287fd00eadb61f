package io.kvorum.jepsen.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kvorum.jepsen.history.HistoryException;
import java.util.List;
import org.junit.jupiter.api.Test;

class SetCheckerTest {
    /** Adds 1 (ok), 2 (info), 3 (fail), 4 (ok but concurrent with the read), then reads. */
    private static H history(List<Long> read) {
        return new H()
                .invoke(0, 0, "add", null, 1L).ok(10, 0, "add", null, 1L)
                .invoke(0, 1, "add", null, 2L).info(10, 1, "add", null, 2L)
                .invoke(0, 2, "add", null, 3L).fail(10, 2, "add", null, 3L)
                .invoke(15, 3, "add", null, 4L).ok(40, 3, "add", null, 4L)
                .invoke(20, 4, "read", null, null).ok(30, 4, "read", null, read);
    }

    @Test
    void everyAcknowledgedAddIsThere() {
        CheckResult r = SetChecker.check(history(List.of(1L, 2L)).sorted());
        assertEquals(Verdict.VALID, r.verdict(), r.summary());
        assertEquals(List.of(2L), r.details().get("recovered"));
    }

    @Test
    void anAddConcurrentWithTheReadMayBeMissing() {
        assertEquals(Verdict.VALID, SetChecker.check(history(List.of(1L)).sorted()).verdict());
    }

    @Test
    void aLostAcknowledgedAdd() {
        CheckResult r = SetChecker.check(history(List.of(2L)).sorted());
        assertEquals(Verdict.INVALID, r.verdict());
        assertEquals(List.of(1L), r.details().get("lost"));
    }

    @Test
    void anElementNobodyAdded() {
        CheckResult r = SetChecker.check(history(List.of(1L, 9L)).sorted());
        assertEquals(Verdict.INVALID, r.verdict());
        assertEquals(List.of(9L), r.details().get("unexpected"));
    }

    @Test
    void aFailedAddThatHappened() {
        CheckResult r = SetChecker.check(history(List.of(1L, 3L)).sorted());
        assertEquals(Verdict.INVALID, r.verdict());
        assertEquals(List.of(3L), r.details().get("failedButPresent"));
    }

    @Test
    void anElementReadTwice() {
        assertEquals(Verdict.INVALID, SetChecker.check(history(List.of(1L, 1L)).sorted()).verdict());
    }

    @Test
    void anEarlierReadMissingAnAcknowledgedAddIsStale() {
        // Add 1 is acknowledged at 10; a read from 12 to 14 misses it (an old state), the final read has it.
        H h = history(List.of(1L, 2L)).invoke(12, 5, "read", null, null).ok(14, 5, "read", null, List.of());
        CheckResult r = SetChecker.check(h.sorted());
        assertEquals(Verdict.INVALID, r.verdict(), r.summary());
        assertEquals(1, ((List<?>) r.details().get("stale")).size(), r.summary());
        assertEquals(List.of(), r.details().get("lost"));
    }

    @Test
    void anEarlierReadMayMissAnAddStillInFlight() {
        // Add 4 runs from 15 to 40: a read from 16 to 18 need not see it.
        H h = history(List.of(1L, 2L)).invoke(16, 5, "read", null, null).ok(18, 5, "read", null, List.of(1L));
        assertEquals(Verdict.VALID, SetChecker.check(h.sorted()).verdict());
    }

    @Test
    void noReadIsUnknown() {
        assertEquals(Verdict.UNKNOWN, SetChecker.check(new H().invoke(0, 0, "add", null, 1L).ok(1, 0, "add", null, 1L)
                .sorted()).verdict());
    }

    @Test
    void addsMustBeUnique() {
        H h = new H().invoke(0, 0, "add", null, 1L).ok(1, 0, "add", null, 1L).invoke(2, 0, "add", null, 1L);
        assertEquals(3, assertThrows(HistoryException.class, () -> SetChecker.check(h.sorted())).line);
    }
}
