package io.kvorum.jepsen.harness;

import io.kvorum.jepsen.history.Json;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The fields of a node's admin {@code GET /status} the harness looks at. {@code voters} is the
 * membership this node has applied (a removal takes effect on each node when it applies it).
 */
public record NodeStatus(long id, String role, long leaderId, long term, long commitIndex, long appliedIndex,
                         Set<Long> voters) {

    public boolean isLeader() {
        return "leader".equals(role);
    }

    static NodeStatus parse(String json) {
        Map<?, ?> m = (Map<?, ?>) Json.parse(json);
        Set<Long> voters = new TreeSet<>();
        if (m.get("members") instanceof List<?> members) {
            for (Object o : members) {
                if (o instanceof Map<?, ?> member && Boolean.TRUE.equals(member.get("voter"))) {
                    voters.add(num(member, "id"));
                }
            }
        }
        return new NodeStatus(num(m, "id"), (String) m.get("role"), num(m, "leaderId"), num(m, "term"),
                num(m, "commitIndex"), num(m, "appliedIndex"), Set.copyOf(voters));
    }

    private static long num(Map<?, ?> m, String field) {
        Object v = m.get(field);
        if (!(v instanceof Long l)) {
            throw new IllegalArgumentException("/status has no integer " + field + ": " + m);
        }
        return l;
    }
}
