package io.kvorum.jepsen.checker;

import static io.kvorum.jepsen.history.Type.FAIL;
import static io.kvorum.jepsen.history.Type.INFO;
import static io.kvorum.jepsen.history.Type.OK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.jepsen.history.RegisterHistory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Verdicts on small hand-written histories. Times are in the history's units; [a, b] below is
 * an operation's call and return. Registers start absent (null).
 */
class RegisterCheckerTest {

    static CheckResult check(H h) {
        return new RegisterChecker(Duration.ofSeconds(10), 2).check(RegisterHistory.of(h.sorted()));
    }

    static void linearizable(H h) {
        CheckResult r = check(h);
        assertEquals(Verdict.VALID, r.verdict(), r.summary());
    }

    static CheckResult notLinearizable(H h) {
        CheckResult r = check(h);
        assertEquals(Verdict.INVALID, r.verdict(), r.summary());
        return r;
    }

    @Nested
    class Linearizable {
        @Test
        void anEmptyHistory() {
            linearizable(new H());
        }

        @Test
        void aReadOfAnAbsentKeyIsNull() {
            linearizable(new H().read(0, 0, 10, null));
        }

        @Test
        void sequentialWritesAndReads() {
            linearizable(new H().write(0, 0, 10, 1).read(1, 20, 30, 1L).write(0, 40, 50, 2).read(1, 60, 70, 2L));
        }

        @Test
        void aReadConcurrentWithAWriteMaySeeTheOldValue() {
            linearizable(new H().write(0, 0, 10, 1).write(0, 20, 50, 2).read(1, 30, 40, 1L));
        }

        @Test
        void aReadConcurrentWithAWriteMaySeeTheNewValue() {
            linearizable(new H().write(0, 0, 10, 1).write(0, 20, 50, 2).read(1, 30, 40, 2L));
        }

        @Test
        void concurrentWritesMayTakeEffectInEitherOrder() {
            linearizable(new H().write(0, 0, 50, 1).write(1, 0, 50, 2).read(2, 60, 70, 1L));
            linearizable(new H().write(0, 0, 50, 1).write(1, 0, 50, 2).read(2, 60, 70, 2L));
        }

        @Test
        void operationsThatTouchInTimeCountAsConcurrent() {
            // The write returns at 10 and the read is called at 10: either order is possible.
            linearizable(new H().write(0, 0, 10, 1).read(1, 10, 20, null));
        }

        @Test
        void aCasWithTheRightExpectedValue() {
            linearizable(new H().write(0, 0, 10, 1).cas(1, 20, 30, OK, 1L, 2).read(0, 40, 50, 2L));
        }

        @Test
        void aCasExpectingAbsentOnAFreshKey() {
            linearizable(new H().cas(0, 0, 10, OK, null, 7).read(0, 20, 30, 7L));
        }

        @Test
        void aCasConcurrentWithTheWriteItDependsOn() {
            linearizable(new H().write(0, 0, 10, 1).write(1, 20, 60, 2).cas(2, 30, 40, OK, 2L, 3).read(0, 70, 80, 3L));
        }

        @Test
        void aFailedWriteIsDropped() {
            linearizable(new H().write(0, 0, 10, 1).op(1, 20, 30, FAIL, "write", 2L).read(0, 40, 50, 1L));
        }

        @Test
        void aFailedCasIsDropped() {
            linearizable(new H().write(0, 0, 10, 1).cas(1, 20, 30, FAIL, 5L, 6).read(0, 40, 50, 1L));
        }

        @Test
        void keysAreIndependentRegisters() {
            H h = new H();
            h.invoke(0, 0, "write", "a", 1L).invoke(0, 1, "write", "b", 2L).ok(10, 0, "write", "a", 1L)
                    .ok(10, 1, "write", "b", 2L).invoke(20, 0, "read", "b", null).invoke(20, 1, "read", "a", null)
                    .ok(30, 0, "read", "b", 2L).ok(30, 1, "read", "a", 1L);
            linearizable(h);
        }
    }

    @Nested
    class NotLinearizable {
        @Test
        void aStaleReadAfterAWriteCompletes() {
            CheckResult r = notLinearizable(new H().write(0, 0, 10, 1).write(0, 20, 30, 2).read(1, 40, 50, 1L));
            assertTrue(r.summary().contains("read x 1"), r.summary());
        }

        @Test
        void aReadOfAValueNeverWritten() {
            notLinearizable(new H().write(0, 0, 10, 1).read(1, 20, 30, 5L));
        }

        @Test
        void aLostWrite() {
            notLinearizable(new H().write(0, 0, 10, 1).read(1, 20, 30, null));
        }

        @Test
        void aCasSucceedingOnAWrongExpectedValue() {
            notLinearizable(new H().write(0, 0, 10, 1).cas(1, 20, 30, OK, 2L, 3));
        }

        @Test
        void readsThatGoBackAndForth() {
            notLinearizable(new H().write(0, 0, 100, 1).write(1, 0, 100, 2)
                    .read(2, 10, 20, 1L).read(2, 30, 40, 2L).read(2, 50, 60, 1L));
        }

        @Test
        void aFailedWriteThatWasSeen() {
            notLinearizable(new H().op(0, 0, 10, FAIL, "write", 1L).read(1, 20, 30, 1L));
        }

        @Test
        void onlyTheBadKeyIsReported() {
            H h = new H().write(0, 0, 10, 1).read(1, 20, 30, 1L);
            h.invoke(40, 2, "write", "y", 1L).ok(50, 2, "write", "y", 1L).invoke(60, 3, "read", "y", null)
                    .ok(70, 3, "read", "y", null);
            CheckResult r = notLinearizable(h);
            assertEquals(List.of("y"), r.details().get("nonLinearizableKeys"));
        }
    }

    @Nested
    class IndeterminateOperations {
        @Test
        void anInfoWriteThatMustHaveTakenEffect() {
            linearizable(new H().op(0, 0, 10, INFO, "write", 1L).read(1, 20, 30, 1L));
        }

        @Test
        void anInfoWriteMayTakeEffectLongAfterItsClientGaveUp() {
            // Seen absent, then present: the info write happened between the reads.
            linearizable(new H().op(0, 0, 10, INFO, "write", 1L).read(1, 20, 30, null).read(1, 40, 50, 1L));
        }

        @Test
        void anInfoWriteThatMayNeverHaveHappened() {
            linearizable(new H().op(0, 0, 10, INFO, "write", 1L).read(1, 20, 30, null).read(1, 40, 50, null));
        }

        @Test
        void anInfoWriteTakesEffectAtMostOnce() {
            // Seen, then gone, with nothing else writing: it cannot have happened twice.
            notLinearizable(new H().write(2, 0, 5, 7).op(0, 10, 20, INFO, "write", 1L).read(1, 30, 40, 1L)
                    .read(1, 50, 60, 7L));
        }

        @Test
        void anInfoCasThatCannotHaveTakenEffect() {
            // Its expected value 5 was never there, so 6 cannot have been written.
            notLinearizable(new H().write(0, 0, 10, 1).cas(1, 20, 30, INFO, 5L, 6).read(0, 40, 50, 6L));
        }

        @Test
        void anInfoCasThatMustHaveTakenEffect() {
            linearizable(new H().write(0, 0, 10, 1).cas(1, 20, 30, INFO, 1L, 6).read(0, 40, 50, 6L));
        }

        @Test
        void anInfoWriteCannotTakeEffectBeforeItIsInvoked() {
            notLinearizable(new H().read(1, 0, 10, 1L).op(0, 20, 30, INFO, "write", 1L));
        }

        @Test
        void anOpenOperationAtTheEndCountsAsInfo() {
            H h = new H().read(1, 20, 30, 1L);
            h.invoke(0, 0, "write", "x", 1L);
            linearizable(h);
        }

        @Test
        void anInfoReadConstrainsNothing() {
            linearizable(new H().write(0, 0, 10, 1).op(1, 20, 30, INFO, "read", null).read(0, 40, 50, 1L));
        }
    }

    @Test
    void theWindowNamesTheOpsThatCannotBeOrdered() {
        CheckResult r = notLinearizable(new H().write(0, 0, 10, 1).write(0, 20, 30, 2).read(1, 25, 26, 2L)
                .read(1, 40, 50, 1L).write(0, 60, 70, 3));
        @SuppressWarnings("unchecked")
        Map<String, Object> key = (Map<String, Object>) ((List<?>) r.details().get("perKey")).get(0);
        @SuppressWarnings("unchecked")
        Map<String, Object> window = (Map<String, Object>) key.get("window");
        assertTrue(window.get("couldNotLinearize").toString().contains("read x 1"), window.toString());
        assertEquals(2L, window.get("valueAtStuckPoint"), window.toString());
        // The write of 3 comes after the problem and is not part of its story.
        assertTrue(!window.toString().contains("write x 3"), window.toString());
    }

    /**
     * n concurrent writes of distinct values, then sequential reads of each value in turn and the
     * first again: not linearizable, but proving it visits about n * 2^n configurations.
     */
    static H hard(int n) {
        H h = new H();
        for (int p = 0; p < n; p++) {
            h.invoke(0, p, "write", "x", (long) p + 1);
        }
        for (int p = 0; p < n; p++) {
            h.ok(1000, p, "write", "x", (long) p + 1);
        }
        for (int k = 0; k <= n; k++) {
            h.invoke(2000 + 20L * k, 100 + k, "read", "x", null).ok(2010 + 20L * k, 100 + k, "read", "x",
                    (long) (k % n) + 1);
        }
        return h;
    }

    @Test
    void aSearchPastItsDeadlineIsUnknownNotAHang() {
        long started = System.nanoTime();
        CheckResult r = new RegisterChecker(Duration.ofMillis(300), 1).check(RegisterHistory.of(hard(30).sorted()));
        long ms = (System.nanoTime() - started) / 1_000_000;
        assertEquals(Verdict.UNKNOWN, r.verdict(), r.summary());
        assertTrue(ms < 10_000, "returned after " + ms + " ms");
    }

    @Test
    void theHardHistoryIsDecidedWhenSmall() {
        notLinearizable(hard(6));
    }
}
