package io.kvorum.client;

/**
 * A cluster member.
 *
 * @param id the member's id
 * @param peerAddress where other members reach it
 * @param clientAddress where clients reach it; empty until it announced it
 * @param role its role; {@link Role#UNKNOWN} when not asked of the leader
 * @param learner whether it replicates without voting
 * @param matchIndex the leader's view of its log progress (0 when not asked of the leader)
 * @param active whether the leader heard from it within the last election timeout
 * @param datacenter the datacenter it announced (its {@code --datacenter}); empty when none
 * @param zone the zone it announced (its {@code --zone}); empty when none
 * @param observer whether it was added as an observer: a learner meant to stay one, serving reads
 */
public record MemberInfo(long id, String peerAddress, String clientAddress, Role role, boolean learner,
                         long matchIndex, boolean active, String datacenter, String zone, boolean observer) {
    static MemberInfo of(io.kvorum.proto.v1.Member m) {
        return new MemberInfo(m.getId(), m.getPeerAddress(), m.getClientAddress(), Role.of(m.getRole()), m.getIsLearner(),
                m.getMatchIndex(), m.getActive(), m.getDatacenter(), m.getZone(), m.getObserver());
    }
}
