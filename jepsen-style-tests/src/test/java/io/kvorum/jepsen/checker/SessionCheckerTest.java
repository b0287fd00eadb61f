package io.kvorum.jepsen.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.jepsen.history.HistoryException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Times in these histories are nanoseconds; MS is one millisecond. TTL is 1000 ms, grace 500 ms. */
class SessionCheckerTest {
    static final long MS = 1_000_000;

    /** Session 7 opened at 0, kept alive at 800 ms, ephemeral /e created at 100 ms. */
    private static H base() {
        return new H()
                .invoke(0, 0, "open", null, 1000L).ok(10 * MS, 0, "open", null, List.of(7L, 1000L))
                .invoke(100 * MS, 0, "create", "/e", 7L).ok(110 * MS, 0, "create", "/e", 7L)
                .invoke(800 * MS, 0, "keepalive", null, 7L).ok(810 * MS, 0, "keepalive", null, 7L);
    }

    private static H exists(H h, long fromMs, long toMs, boolean present) {
        return h.invoke(fromMs * MS, 1, "exists", "/e", null).ok(toMs * MS, 1, "exists", "/e", present);
    }

    private static CheckResult check(H h) {
        return SessionChecker.check(h.sorted(), Duration.ofMillis(500));
    }

    @Test
    void presentWhileAliveAndGoneAfterExpiry() {
        H h = base();
        exists(h, 1000, 1010, true);
        exists(h, 2500, 2510, false);
        CheckResult r = check(h);
        assertEquals(Verdict.VALID, r.verdict(), r.summary());
    }

    @Test
    void eitherIsFineWhileExpiryIsUncertain() {
        H h = base();
        exists(h, 1850, 1860, false); // after 800 + 1000: may have expired
        assertEquals(Verdict.VALID, check(h).verdict());
        H h2 = base();
        exists(h2, 2200, 2210, true); // before 810 + 1000 + 500: may not have yet
        assertEquals(Verdict.VALID, check(h2).verdict());
    }

    @Test
    void vanishingBeforeTheSessionCouldExpire() {
        H h = base();
        exists(h, 1200, 1210, false);
        CheckResult r = check(h);
        assertEquals(Verdict.INVALID, r.verdict());
        assertTrue(r.summary().contains("vanished while its session was certainly alive"), r.summary());
    }

    @Test
    void outlivingAnExpiredSession() {
        H h = base();
        exists(h, 3000, 3010, true);
        CheckResult r = check(h);
        assertEquals(Verdict.INVALID, r.verdict());
        assertTrue(r.summary().contains("outlived its session"), r.summary());
    }

    @Test
    void outlivingAClosedSession() {
        H h = base();
        h.invoke(900 * MS, 0, "close", null, 7L).ok(910 * MS, 0, "close", null, 7L);
        exists(h, 950, 960, true);
        assertEquals(Verdict.INVALID, check(h).verdict());
    }

    @Test
    void goneEarlyAfterACloseWasSentIsFine() {
        H h = base();
        h.invoke(900 * MS, 0, "close", null, 7L).info(910 * MS, 0, "close", null, 7L);
        exists(h, 950, 960, false);
        assertEquals(Verdict.VALID, check(h).verdict());
    }

    @Test
    void aKeepaliveNeverAnsweredMayKeepItForever() {
        H h = base();
        h.invoke(900 * MS, 2, "keepalive", null, 7L);
        exists(h, 9000, 9010, true);
        assertEquals(Verdict.VALID, check(h).verdict());
    }

    @Test
    void anUnknownSessionIsBadInput() {
        H h = base();
        h.invoke(900 * MS, 2, "keepalive", null, 8L);
        assertEquals(7, assertThrows(HistoryException.class, () -> check(h)).line);
    }
}
