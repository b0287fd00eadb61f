package io.kvorum.client;

/**
 * One node's own view of itself.
 *
 * @param id the node's member id
 * @param role its role
 * @param leaderId the leader it knows (0: none)
 * @param term its raft term
 * @param commitIndex its commit index
 * @param appliedIndex the last entry it applied
 * @param dbSizeBytes bytes of its database on disk
 * @param version its software version
 * @param clientAddress where clients reach it
 * @param peerAddress where other members reach it
 * @param revision the revision of its state
 * @param datacenter its {@code --datacenter}; empty when not set
 * @param zone its {@code --zone}; empty when not set
 */
public record NodeStatus(long id, Role role, long leaderId, long term, long commitIndex, long appliedIndex,
                         long dbSizeBytes, String version, String clientAddress, String peerAddress, long revision,
                         String datacenter, String zone) {
    static NodeStatus of(io.kvorum.proto.v1.StatusResponse s) {
        return new NodeStatus(s.getId(), Role.of(s.getRole()), s.getLeaderId(), s.getTerm(), s.getCommitIndex(),
                s.getAppliedIndex(), s.getDbSizeBytes(), s.getVersion(), s.getClientAddress(), s.getPeerAddress(),
                s.getHeader().getRevision(), s.getDatacenter(), s.getZone());
    }
}
