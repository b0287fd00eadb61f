package io.kvorum.jepsen.checker;

import io.kvorum.jepsen.history.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a checker concluded and why: {@code details} is plain JSON-able data (maps, lists,
 * strings, numbers) that the report writes as the checker's verdict file; {@code summary} is
 * the few lines a person reads first.
 */
public record CheckResult(String checker, Verdict verdict, String summary, Map<String, Object> details) {

    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("checker", checker);
        m.put("verdict", verdict.json());
        m.put("summary", summary);
        m.put("details", details);
        return Json.write(m);
    }
}
