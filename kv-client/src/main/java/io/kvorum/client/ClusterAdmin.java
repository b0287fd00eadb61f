package io.kvorum.client;

import io.kvorum.proto.v1.AddMemberRequest;
import io.kvorum.proto.v1.AddMemberResponse;
import io.kvorum.proto.v1.ClusterGrpc;
import io.kvorum.proto.v1.ListMembersRequest;
import io.kvorum.proto.v1.ListMembersResponse;
import io.kvorum.proto.v1.PromoteMemberRequest;
import io.kvorum.proto.v1.PromoteMemberResponse;
import io.kvorum.proto.v1.RemoveMemberRequest;
import io.kvorum.proto.v1.RemoveMemberResponse;
import io.kvorum.proto.v1.StatusRequest;
import io.kvorum.proto.v1.StatusResponse;
import io.kvorum.proto.v1.TransferLeadershipRequest;
import io.kvorum.proto.v1.TransferLeadershipResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Cluster administration: membership and status. Membership changes are not deduplicated by
 * the server, so they are retried only when they surely were not acted on (the connection
 * never opened, or a follower refused with NO_LEADER and named the leader, which the retry then
 * goes to). Get one from {@link KvorumClient#cluster()}.
 */
public final class ClusterAdmin {
    private final ClientCore core;

    ClusterAdmin(ClientCore core) {
        this.core = core;
    }

    /** The members and the leader's id (0 when none is known). */
    public record Membership(List<MemberInfo> members, long leaderId) {
        /** The leader among the members, or empty when none is known. */
        public Optional<MemberInfo> leader() {
            return members.stream().filter(m -> m.id() == leaderId).findFirst();
        }
    }

    /** The current leader (asked of the cluster), or empty when no leader is known. */
    public Optional<MemberInfo> leader() {
        return members().leader();
    }

    public Membership members() {
        return Blocking.await(membersAsync());
    }

    public CompletableFuture<Membership> membersAsync() {
        return core.unique("list members", RequestOptions.DEFAULT, ClusterGrpc.getListMembersMethod(),
                ListMembersRequest.getDefaultInstance(), ListMembersResponse::getHeader, true, null)
                .thenApply(r -> new Membership(members(r.getMembersList()), r.getLeaderId()));
    }

    /** The status of whichever node answers. */
    public NodeStatus status() {
        return Blocking.await(statusAsync(null));
    }

    /** The status of the node at {@code address} ({@code host:port}); not retried elsewhere. */
    public NodeStatus status(String address) {
        return Blocking.await(statusAsync(address));
    }

    public CompletableFuture<NodeStatus> statusAsync(String address) {
        EndpointState pinned = address == null ? null : core.endpoints.forAddress(address);
        return core.unique("status" + (address == null ? "" : " of " + address), RequestOptions.DEFAULT,
                ClusterGrpc.getStatusMethod(), StatusRequest.getDefaultInstance(), StatusResponse::getHeader, true,
                pinned).thenApply(NodeStatus::of);
    }

    /** Adds a member as a learner (it replicates but does not vote until promoted). */
    public List<MemberInfo> addMember(long id, String peerAddress) {
        return Blocking.await(core.unique("add member " + id, RequestOptions.DEFAULT, ClusterGrpc.getAddMemberMethod(),
                AddMemberRequest.newBuilder().setId(id).setPeerAddress(peerAddress).build(),
                AddMemberResponse::getHeader, false, null).thenApply(r -> members(r.getMembersList())));
    }

    /**
     * Adds a member as an observer: a learner meant to stay one. It replicates the log and serves
     * reads (serializable ones from its own state, linearizable ones after a ReadIndex round trip
     * to the leader), never votes, never counts towards a quorum, and becomes a voter only if
     * {@link #promoteMember(long) promoted}. This is how a remote datacenter gets local reads
     * without slowing writes.
     */
    public List<MemberInfo> addObserver(long id, String peerAddress) {
        return Blocking.await(core.unique("add observer " + id, RequestOptions.DEFAULT,
                ClusterGrpc.getAddMemberMethod(),
                AddMemberRequest.newBuilder().setId(id).setPeerAddress(peerAddress).setObserver(true).build(),
                AddMemberResponse::getHeader, false, null).thenApply(r -> members(r.getMembersList())));
    }

    /** Promotes a learner that caught up to voter; {@link MembershipChangeException} if it has not. */
    public List<MemberInfo> promoteMember(long id) {
        return Blocking.await(core.unique("promote member " + id, RequestOptions.DEFAULT,
                ClusterGrpc.getPromoteMemberMethod(), PromoteMemberRequest.newBuilder().setId(id).build(),
                PromoteMemberResponse::getHeader, false, null).thenApply(r -> members(r.getMembersList())));
    }

    /** Removes a member; refused when the remaining voters could not form a live quorum. */
    public List<MemberInfo> removeMember(long id) {
        return Blocking.await(core.unique("remove member " + id, RequestOptions.DEFAULT,
                ClusterGrpc.getRemoveMemberMethod(), RemoveMemberRequest.newBuilder().setId(id).build(),
                RemoveMemberResponse::getHeader, false, null).thenApply(r -> members(r.getMembersList())));
    }

    /** Hands leadership to {@code toId} (0: the most up-to-date other voter); returns the new leader's id. */
    public long transferLeadership(long toId) {
        return Blocking.await(core.unique("transfer leadership", RequestOptions.DEFAULT,
                ClusterGrpc.getTransferLeadershipMethod(), TransferLeadershipRequest.newBuilder().setToId(toId).build(),
                TransferLeadershipResponse::getHeader, false, null).thenApply(TransferLeadershipResponse::getLeaderId));
    }

    private static List<MemberInfo> members(List<io.kvorum.proto.v1.Member> list) {
        List<MemberInfo> out = new ArrayList<>(list.size());
        for (io.kvorum.proto.v1.Member m : list) {
            out.add(MemberInfo.of(m));
        }
        return List.copyOf(out);
    }
}
