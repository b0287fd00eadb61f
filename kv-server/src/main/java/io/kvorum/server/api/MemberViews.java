package io.kvorum.server.api;

import io.kvorum.proto.v1.Member;
import io.kvorum.server.node.NodeStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** The membership as clients see it, from the node's status and the announced client addresses. */
final class MemberViews {
    private MemberViews() {
    }

    static List<Member> of(NodeStatus s, Map<Long, String> clientAddresses) {
        TreeSet<Long> ids = new TreeSet<>(s.voters());
        ids.addAll(s.learners());
        boolean leader = "leader".equals(s.role());
        List<Member> out = new ArrayList<>();
        for (long id : ids) {
            boolean learner = s.learners().contains(id);
            Member.Builder m = Member.newBuilder().setId(id).setPeerAddress(s.members().getOrDefault(id, ""))
                    .setClientAddress(clientAddresses.getOrDefault(id, "")).setIsLearner(learner)
                    .setRole(roleOf(s, id, learner, leader));
            if (leader) {
                m.setMatchIndex(s.matchIndex().getOrDefault(id, 0L)).setActive(s.active().getOrDefault(id, false));
            }
            out.add(m.build());
        }
        return out;
    }

    /** Only the leader knows every member's role; others know their own and the leader's. */
    private static String roleOf(NodeStatus s, long id, boolean learner, boolean leader) {
        if (id == s.id()) {
            return s.role();
        }
        if (id == s.leaderId()) {
            return "leader";
        }
        if (learner) {
            return "learner";
        }
        return leader ? "follower" : "unknown";
    }
}
