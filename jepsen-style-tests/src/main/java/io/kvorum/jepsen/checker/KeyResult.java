package io.kvorum.jepsen.checker;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One key's verdict. {@code searched} counts the operations the search had to place (after
 * dropping failed ones, reads without a result, and unobserved indeterminate writes);
 * {@code window} is set when the key is not linearizable.
 */
record KeyResult(String key, Verdict verdict, int ops, int searched, long configurations, long nanos,
                 String reason, Map<String, Object> window) {

    static KeyResult valid(String key, int ops, int searched, long configurations, long nanos) {
        return new KeyResult(key, Verdict.VALID, ops, searched, configurations, nanos, null, null);
    }

    static KeyResult invalid(String key, int ops, int searched, long configurations, long nanos,
                             Map<String, Object> window) {
        return new KeyResult(key, Verdict.INVALID, ops, searched, configurations, nanos, null, window);
    }

    static KeyResult unknown(String key, int ops, int searched, long configurations, long nanos, String reason) {
        return new KeyResult(key, Verdict.UNKNOWN, ops, searched, configurations, nanos, reason, null);
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("key", key);
        m.put("verdict", verdict.json());
        m.put("ops", (long) ops);
        m.put("searched", (long) searched);
        m.put("configurations", configurations);
        m.put("millis", nanos / 1_000_000);
        if (reason != null) {
            m.put("reason", reason);
        }
        if (window != null) {
            m.put("window", window);
        }
        return m;
    }
}
