package io.kvorum.jepsen.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.jepsen.history.HistoryException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class WatchCheckerTest {
    private static H watch(H h, long p, long start) {
        return h.invoke(0, p, "watch", "/w/", start).ok(1, p, "watch", "/w/", start);
    }

    private static H event(H h, long t, long p, String key, long rev, String kind, Long data) {
        return h.ok(t, p, "event", key, Arrays.asList(rev, kind, data));
    }

    private static H put(H h, long t, long p, String key, long data, long rev) {
        return h.invoke(t, p, "put", key, data).ok(t + 1, p, "put", key, List.of(rev, data));
    }

    /** Writes a=1@5, b=2@6, delete a@7; two watchers from revision 5; the final reads. */
    private static H good(boolean secondSeesAll) {
        H h = new H();
        watch(h, 10, 5);
        watch(h, 11, 5);
        put(h, 2, 0, "/w/a", 1, 5);
        put(h, 4, 0, "/w/b", 2, 6);
        h.invoke(6, 0, "delete", "/w/a", null).ok(7, 0, "delete", "/w/a", Arrays.asList(7L, null));
        event(h, 8, 10, "/w/a", 5, "put", 1L);
        event(h, 8, 10, "/w/b", 6, "put", 2L);
        event(h, 8, 10, "/w/a", 7, "delete", null);
        event(h, 9, 11, "/w/a", 5, "put", 1L);
        if (secondSeesAll) {
            event(h, 9, 11, "/w/b", 6, "put", 2L);
        }
        event(h, 9, 11, "/w/a", 7, "delete", null);
        h.invoke(20, 1, "read", "/w/a", null).ok(21, 1, "read", "/w/a", null);
        h.invoke(22, 1, "read", "/w/b", null).ok(23, 1, "read", "/w/b", List.of(2L, 6L));
        return h;
    }

    @Test
    void watchersAgreeAndMatchTheFinalState() {
        CheckResult r = WatchChecker.check(good(true).sorted());
        assertEquals(Verdict.VALID, r.verdict(), r.summary());
    }

    @Test
    void aWatcherWithAGap() {
        CheckResult r = WatchChecker.check(good(false).sorted());
        assertEquals(Verdict.INVALID, r.verdict());
        assertTrue(r.summary().contains("watcher p11 (/w/ from 5) skipped put /w/b=2@6"), r.summary());
    }

    @Test
    void watchersThatDisagree() {
        H h = new H();
        watch(h, 10, 1);
        watch(h, 11, 1);
        event(h, 8, 10, "/w/a", 5, "put", 1L);
        event(h, 9, 11, "/w/a", 5, "put", 2L);
        assertTrue(WatchChecker.check(h.sorted()).summary().contains("disagree"));
    }

    @Test
    void eventsOutOfOrder() {
        H h = new H();
        watch(h, 10, 1);
        watch(h, 11, 1);
        event(h, 8, 10, "/w/a", 5, "put", 1L);
        event(h, 8, 10, "/w/b", 6, "put", 2L);
        event(h, 9, 11, "/w/b", 6, "put", 2L);
        event(h, 9, 11, "/w/a", 5, "put", 1L);
        CheckResult r = WatchChecker.check(h.sorted());
        assertEquals(Verdict.INVALID, r.verdict());
        assertTrue(r.summary().contains("out of order"), r.summary());
    }

    @Test
    void anAcknowledgedWriteNoWatcherSaw() {
        H h = good(true);
        put(h, 7, 2, "/w/c", 3, 8);
        event(h, 12, 10, "/w/b", 9, "put", 4L);
        CheckResult r = WatchChecker.check(h.sorted());
        assertEquals(Verdict.INVALID, r.verdict());
        assertTrue(r.summary().contains("skipped put /w/c=3@8"), r.summary());
    }

    @Test
    void aFinalStateTheEventsDoNotExplain() {
        H h = good(true);
        h.invoke(24, 1, "read", "/w/b", null).ok(25, 1, "read", "/w/b", List.of(3L, 6L));
        CheckResult r = WatchChecker.check(h.sorted());
        assertEquals(Verdict.INVALID, r.verdict());
        assertTrue(r.summary().contains("final read of /w/b"), r.summary());
    }

    @Test
    void aFinalRevisionNeverDelivered() {
        H h = good(true);
        h.invoke(24, 1, "read", "/w/b", null).ok(25, 1, "read", "/w/b", List.of(3L, 12L));
        assertTrue(WatchChecker.check(h.sorted()).summary().contains("never delivered"));
    }

    @Test
    void anEventWithoutAWatchIsBadInput() {
        H h = new H();
        event(h, 8, 10, "/w/a", 5, "put", 1L);
        assertEquals(1, assertThrows(HistoryException.class, () -> WatchChecker.check(h.sorted())).line);
    }
}
