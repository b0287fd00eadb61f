package io.kvorum.jepsen.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.jepsen.history.HistoryException;
import java.util.List;
import org.junit.jupiter.api.Test;

class SequentialCheckerTest {
    private static H create(H h, long p, long from, long to, String parent, long seq, long revision) {
        return h.invoke(from, p, "create", parent, null).ok(to, p, "create", parent, List.of(seq, revision));
    }

    @Test
    void suffixesIncreaseWithRevisions() {
        H h = new H();
        create(h, 0, 0, 10, "/q", 1, 5);
        create(h, 1, 2, 12, "/q", 2, 6);
        create(h, 2, 2, 12, "/other", 1, 7);
        create(h, 0, 20, 30, "/q", 3, 9);
        h.invoke(40, 1, "create", "/q", null).info(50, 1, "create", "/q", null);
        assertEquals(Verdict.VALID, SequentialChecker.check(h.sorted()).verdict());
    }

    @Test
    void aRepeatedSuffix() {
        H h = new H();
        create(h, 0, 0, 10, "/q", 1, 5);
        create(h, 1, 2, 12, "/q", 1, 6);
        CheckResult r = SequentialChecker.check(h.sorted());
        assertEquals(Verdict.INVALID, r.verdict());
        assertTrue(r.summary().contains("does not increase"), r.summary());
    }

    @Test
    void suffixesOutOfRevisionOrder() {
        H h = new H();
        create(h, 0, 0, 10, "/q", 2, 5);
        create(h, 1, 2, 12, "/q", 1, 6);
        assertEquals(Verdict.INVALID, SequentialChecker.check(h.sorted()).verdict());
    }

    @Test
    void aLaterCreateWithAnEarlierRevision() {
        H h = new H();
        create(h, 0, 0, 10, "/q", 2, 9);
        create(h, 1, 20, 30, "/q", 3, 8);
        CheckResult r = SequentialChecker.check(h.sorted());
        assertEquals(Verdict.INVALID, r.verdict());
        assertTrue(r.summary().contains("finished before"), r.summary());
    }

    @Test
    void oneRevisionForTwoCreates() {
        H h = new H();
        create(h, 0, 0, 10, "/q", 1, 5);
        create(h, 1, 0, 10, "/r", 1, 5);
        assertEquals(Verdict.INVALID, SequentialChecker.check(h.sorted()).verdict());
    }

    @Test
    void aBadValueShape() {
        H h = new H().invoke(0, 0, "create", "/q", null).ok(1, 0, "create", "/q", List.of(1L));
        HistoryException e = assertThrows(HistoryException.class, () -> SequentialChecker.check(h.sorted()));
        assertEquals(2, e.line);
    }
}
