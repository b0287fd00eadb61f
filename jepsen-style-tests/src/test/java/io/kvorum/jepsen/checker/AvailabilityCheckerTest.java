package io.kvorum.jepsen.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.jepsen.history.Event;
import io.kvorum.jepsen.history.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AvailabilityCheckerTest {
    @Test
    void aHistoryOfRefusalsIsInvalidAndItsErrorsAreCountedByType() {
        List<Event> h = new ArrayList<>();
        for (int p = 0; p < 5; p++) {
            h.add(Event.of(p, Type.INVOKE, "add", null, p, 10));
            h.add(new Event(0, p, Type.INFO, "add", null, p, 20, "ClusterUnavailableException: no leader"));
        }
        h.add(Event.of(9, Type.INVOKE, "read", null, null, 30));
        h.add(new Event(0, 9, Type.FAIL, "read", null, null, 40, "SessionExpiredException: gone"));
        CheckResult r = AvailabilityChecker.check(h, 1);
        assertEquals(Verdict.INVALID, r.verdict(), r.summary());
        assertEquals(Map.of("ClusterUnavailableException", 5L, "SessionExpiredException", 1L),
                r.details().get("errorsByType"));
    }

    @Test
    void enoughAcknowledgedOperationsAreValidAndObservationsDoNotCount() {
        List<Event> h = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            h.add(Event.of(0, Type.INVOKE, "write", "k", i, i * 10));
            h.add(Event.of(0, Type.OK, "write", "k", i, i * 10 + 5));
        }
        h.add(Event.of(7, Type.OK, "event", null, 1, 99)); // an observation: no invocation
        assertEquals(Verdict.VALID, AvailabilityChecker.check(h, 3).verdict());
        CheckResult short1 = AvailabilityChecker.check(h, 4);
        assertEquals(Verdict.INVALID, short1.verdict());
        assertTrue(short1.summary().contains("3 of 3 operations acknowledged"), short1.summary());
    }
}
