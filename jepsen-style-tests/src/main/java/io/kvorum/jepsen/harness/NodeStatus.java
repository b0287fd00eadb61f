package io.kvorum.jepsen.harness;

import io.kvorum.jepsen.history.Json;
import java.util.Map;

/** The fields of a node's admin {@code GET /status} the harness looks at. */
public record NodeStatus(long id, String role, long leaderId, long term, long commitIndex, long appliedIndex) {

    public boolean isLeader() {
        return "leader".equals(role);
    }

    static NodeStatus parse(String json) {
        Map<?, ?> m = (Map<?, ?>) Json.parse(json);
        return new NodeStatus(num(m, "id"), (String) m.get("role"), num(m, "leaderId"), num(m, "term"),
                num(m, "commitIndex"), num(m, "appliedIndex"));
    }

    private static long num(Map<?, ?> m, String field) {
        Object v = m.get(field);
        if (!(v instanceof Long l)) {
            throw new IllegalArgumentException("/status has no integer " + field + ": " + m);
        }
        return l;
    }
}
