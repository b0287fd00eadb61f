package io.kvorum.jepsen.nemesis;

import java.util.LinkedHashMap;
import java.util.Map;

/** One fault as the run recorded it: which nemesis, what exactly, and when (run nanoseconds). */
public record FaultWindow(String nemesis, String description, long start, long end) {

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("nemesis", nemesis);
        m.put("description", description);
        m.put("start", start);
        m.put("end", end);
        return m;
    }
}
