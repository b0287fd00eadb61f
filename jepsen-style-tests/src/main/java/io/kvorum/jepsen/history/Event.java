package io.kvorum.jepsen.history;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One line of a history: {@code {"process":0,"type":"invoke","f":"write","key":"k1","value":3,"time":1200}}.
 * {@code key} and {@code error} are optional (null when absent); {@code value} is whatever JSON
 * the workload's vocabulary puts there. {@code line} is 1-based, for error messages.
 */
public record Event(int line, long process, Type type, String f, String key, Object value, long time, String error) {

    public static Event of(long process, Type type, String f, String key, Object value, long time) {
        return new Event(0, process, type, f, key, value, time, null);
    }

    /** The line this event is written as; {@link HistoryReader} reads it back to an equal event. */
    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("process", process);
        m.put("type", type.json());
        m.put("f", f);
        if (key != null) {
            m.put("key", key);
        }
        m.put("value", value);
        m.put("time", time);
        if (error != null) {
            m.put("error", error);
        }
        return Json.write(m);
    }
}
