package io.kvorum.server.api;

import io.kvorum.proto.internal.v1.Locality;
import io.kvorum.proto.v1.Member;
import io.kvorum.server.node.NodeStatus;
import io.kvorum.server.state.CoordinationState;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The membership as clients see it: the node's status, with the client addresses and
 * localities members announced and the observer marks from the replicated state.
 */
final class MemberViews {
    private MemberViews() {
    }

    static List<Member> of(NodeStatus s, CoordinationState state) {
        TreeSet<Long> ids = new TreeSet<>(s.voters());
        ids.addAll(s.learners());
        boolean leader = "leader".equals(s.role());
        List<Member> out = new ArrayList<>();
        for (long id : ids) {
            boolean learner = s.learners().contains(id);
            boolean observer = learner && state.observers().contains(id);
            Locality where = state.memberLocalities().getOrDefault(id, Locality.getDefaultInstance());
            Member.Builder m = Member.newBuilder().setId(id).setPeerAddress(s.members().getOrDefault(id, ""))
                    .setClientAddress(state.memberClientAddresses().getOrDefault(id, "")).setIsLearner(learner)
                    .setObserver(observer).setRole(observer ? "observer" : roleOf(s, id, learner, leader))
                    .setDatacenter(where.getDatacenter()).setZone(where.getZone());
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
