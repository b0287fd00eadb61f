package io.kvorum.jepsen.checker;

import io.kvorum.jepsen.history.Event;
import io.kvorum.jepsen.history.Type;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Availability: did the run do enough to prove anything? A history in which the cluster
 * acknowledged almost nothing (it was down, it refused every request, the client threads
 * died) passes every safety checker vacuously; this checker fails it.
 *
 * <p>Counts the completions of invoked operations by outcome and by f, and the failed and
 * indeterminate ones by error type (the exception's class name the error field starts with).
 * Lines that answer no open invocation (a watcher's observations) are not operations and are
 * not counted. Invalid when fewer than {@code minimumAcknowledged} operations completed ok.
 */
public final class AvailabilityChecker {
    private AvailabilityChecker() {
    }

    public static CheckResult check(java.util.List<Event> events, long minimumAcknowledged) {
        Map<Long, String> open = new HashMap<>();
        Map<String, Long> byOutcome = new TreeMap<>();
        Map<String, Long> okByF = new TreeMap<>();
        Map<String, Long> errorsByType = new TreeMap<>();
        long acknowledged = 0;
        long invoked = 0;
        for (Event e : events) {
            if (e.type() == Type.INVOKE) {
                open.put(e.process(), e.f());
                invoked++;
                continue;
            }
            String f = open.remove(e.process());
            if (f == null) {
                continue; // an observation, not an operation's completion
            }
            byOutcome.merge(e.type().json(), 1L, Long::sum);
            if (e.type() == Type.OK) {
                acknowledged++;
                okByF.merge(f, 1L, Long::sum);
            } else {
                errorsByType.merge(errorType(e.error()), 1L, Long::sum);
            }
        }
        byOutcome.put("open", (long) open.size());
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("invoked", invoked);
        details.put("acknowledged", acknowledged);
        details.put("minimumAcknowledged", minimumAcknowledged);
        details.put("byOutcome", new LinkedHashMap<>(byOutcome));
        details.put("acknowledgedByF", new LinkedHashMap<>(okByF));
        details.put("errorsByType", new LinkedHashMap<>(errorsByType));
        boolean enough = acknowledged >= minimumAcknowledged;
        String summary = (enough ? "valid" : "invalid: too few operations acknowledged to prove anything") + ": "
                + acknowledged + " of " + invoked + " operations acknowledged (at least " + minimumAcknowledged
                + " needed); outcomes " + byOutcome + "; errors by type " + errorsByType;
        return new CheckResult("availability", enough ? Verdict.VALID : Verdict.INVALID, summary, details);
    }

    /**
     * The exception class an error field starts with ("ClusterUnavailableException: ..."); "none"
     * without an error; "other" for a workload's own words (a compare-and-set's "value is 3").
     */
    static String errorType(String error) {
        if (error == null || error.isBlank()) {
            return "none";
        }
        int colon = error.indexOf(':');
        String head = (colon < 0 ? error : error.substring(0, colon)).strip();
        return head.endsWith("Exception") || head.endsWith("Error") ? head : "other";
    }
}
