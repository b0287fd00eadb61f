package io.kvorum.jepsen.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.jepsen.history.HistoryException;
import org.junit.jupiter.api.Test;

class LockCheckerTest {
    private static H acquire(H h, long p, long from, long to, long token) {
        return h.invoke(from, p, "acquire", "L", null).ok(to, p, "acquire", "L", token);
    }

    private static H release(H h, long p, long from, long to, long token) {
        return h.invoke(from, p, "release", "L", token).ok(to, p, "release", "L", token);
    }

    @Test
    void sectionsOneAfterAnother() {
        H h = new H();
        acquire(h, 0, 0, 10, 1);
        h.invoke(5, 1, "acquire", "L", null);
        release(h, 0, 20, 30, 1);
        h.ok(35, 1, "acquire", "L", 2L);
        release(h, 1, 40, 50, 2);
        assertEquals(Verdict.VALID, LockChecker.check(h.sorted()).verdict());
    }

    @Test
    void overlappingConfirmedSections() {
        H h = new H();
        acquire(h, 0, 0, 10, 1);
        acquire(h, 1, 5, 15, 2);
        release(h, 0, 20, 30, 1);
        release(h, 1, 40, 50, 2);
        CheckResult r = LockChecker.check(h.sorted());
        assertEquals(Verdict.INVALID, r.verdict());
        assertTrue(r.summary().contains("overlap"), r.summary());
    }

    @Test
    void aHolderWhoseReleaseFailedMayHaveLostTheLockEarlier() {
        // Process 0's session expired while it thought it held the lock: its release fails, and
        // process 1's later token fences it off. Not a violation of the lock service.
        H h = new H();
        acquire(h, 0, 0, 10, 1);
        acquire(h, 1, 5, 15, 2);
        h.invoke(20, 0, "release", "L", 1L).fail(30, 0, "release", "L", 1L);
        release(h, 1, 40, 50, 2);
        assertEquals(Verdict.VALID, LockChecker.check(h.sorted()).verdict());
    }

    @Test
    void tokensMustIncreaseInRealTime() {
        H h = new H();
        acquire(h, 0, 0, 10, 5);
        release(h, 0, 20, 30, 5);
        acquire(h, 1, 40, 50, 4);
        assertEquals(Verdict.INVALID, LockChecker.check(h.sorted()).verdict());
    }

    @Test
    void aTokenGrantedTwice() {
        H h = new H();
        acquire(h, 0, 0, 10, 1);
        h.invoke(20, 0, "release", "L", 1L).info(30, 0, "release", "L", 1L);
        acquire(h, 1, 40, 50, 1);
        assertEquals(Verdict.INVALID, LockChecker.check(h.sorted()).verdict());
    }

    @Test
    void releasingATokenNotHeldIsBadInput() {
        H h = new H();
        acquire(h, 0, 0, 10, 1);
        h.invoke(20, 0, "release", "L", 2L);
        assertEquals(3, assertThrows(HistoryException.class, () -> LockChecker.check(h.sorted())).line);
    }
}
