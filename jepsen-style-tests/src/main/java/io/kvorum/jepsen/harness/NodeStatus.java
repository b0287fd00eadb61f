package io.kvorum.jepsen.harness;

import io.kvorum.jepsen.history.Json;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The fields of a node's admin {@code GET /status} the harness looks at. {@code voters} is the
 * membership this node has applied (a removal takes effect on each node when it applies it);
 * {@code learners} its non-voting members, {@code observers} the members labelled as observers.
 */
public record NodeStatus(long id, String role, long leaderId, long term, long commitIndex, long appliedIndex,
                         Set<Long> voters, Set<Long> learners, Set<Long> observers) {

    public boolean isLeader() {
        return "leader".equals(role);
    }

    static NodeStatus parse(String json) {
        Map<?, ?> m = (Map<?, ?>) Json.parse(json);
        Set<Long> voters = new TreeSet<>();
        Set<Long> learners = new TreeSet<>();
        Set<Long> observers = new TreeSet<>();
        if (m.get("members") instanceof List<?> members) {
            for (Object o : members) {
                if (!(o instanceof Map<?, ?> member)) {
                    continue;
                }
                (Boolean.TRUE.equals(member.get("voter")) ? voters : learners).add(num(member, "id"));
                if (Boolean.TRUE.equals(member.get("observer"))) {
                    observers.add(num(member, "id"));
                }
            }
        }
        return new NodeStatus(num(m, "id"), (String) m.get("role"), num(m, "leaderId"), num(m, "term"),
                num(m, "commitIndex"), num(m, "appliedIndex"), Set.copyOf(voters), Set.copyOf(learners),
                Set.copyOf(observers));
    }

    private static long num(Map<?, ?> m, String field) {
        Object v = m.get(field);
        if (!(v instanceof Long l)) {
            throw new IllegalArgumentException("/status has no integer " + field + ": " + m);
        }
        return l;
    }
}
