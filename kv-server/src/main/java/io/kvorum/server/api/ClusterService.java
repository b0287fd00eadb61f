package io.kvorum.server.api;

import io.grpc.stub.StreamObserver;
import io.kvorum.proto.internal.v1.Command;
import io.kvorum.proto.internal.v1.MarkObserver;
import io.kvorum.proto.v1.AddMemberRequest;
import io.kvorum.proto.v1.AddMemberResponse;
import io.kvorum.proto.v1.ClusterGrpc;
import io.kvorum.proto.v1.ErrorReason;
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
import io.kvorum.server.node.NodeStatus;
import io.kvorum.server.node.RaftNode;
import io.kvorum.server.state.CoordinationState;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The Cluster service. Membership changes run on the leader only (a follower answers
 * UNAVAILABLE naming the leader's client address), and each is checked first against the
 * mistakes that hurt: promoting a learner that has not caught up (the cluster would wait on
 * it) and removing a voter when the voters left would not include a live quorum.
 *
 * <p>An observer is a learner with a mark in the replicated state: AddMember proposes the mark
 * (set or cleared) before the conf change, so a new member is never shown as the wrong kind,
 * and a member re-added as a plain learner loses an old mark. Raft does not know the mark:
 * to the core an observer is a learner (no vote, not in any quorum, never campaigns), and
 * nothing promotes learners but PromoteMember. The mark counts only while the member is a
 * learner, so a promoted observer is simply a voter.
 */
final class ClusterService extends ClusterGrpc.ClusterImplBase {
    static final String VERSION = versionOf();

    private final RaftNode node;
    private final CoordinationState state;
    private final Headers headers;
    private final Replies replies;
    private final Errors errors;
    private final Supplier<String> clientAddress;
    private final Proposer proposer;
    private final Placement placement;
    /** Bytes of the node's store on disk, walked at each Status call. */
    private final LongSupplier storeBytes;
    private final long promoteMaxLag;
    private final Duration defaultDeadline;

    ClusterService(RaftNode node, CoordinationState state, Headers headers, Replies replies, Errors errors,
                   Supplier<String> clientAddress, Proposer proposer, Placement placement, LongSupplier storeBytes,
                   long promoteMaxLag, Duration defaultDeadline) {
        this.node = node;
        this.state = state;
        this.headers = headers;
        this.replies = replies;
        this.errors = errors;
        this.clientAddress = clientAddress;
        this.proposer = proposer;
        this.placement = placement;
        this.storeBytes = storeBytes;
        this.promoteMaxLag = promoteMaxLag;
        this.defaultDeadline = defaultDeadline;
    }

    @Override
    public void listMembers(ListMembersRequest r, StreamObserver<ListMembersResponse> out) {
        replies.reply(out, () -> {
            NodeStatus s = node.status();
            return CompletableFuture.completedFuture(ListMembersResponse.newBuilder()
                    .setHeader(headers.of(state.revision())).setLeaderId(s.leaderId())
                    .addAllMembers(MemberViews.of(s, state)).build());
        });
    }

    @Override
    public void addMember(AddMemberRequest r, StreamObserver<AddMemberResponse> out) {
        replies.reply(out, () -> {
            if (r.getId() <= 0) {
                throw Errors.of(ErrorReason.INVALID_DATA, "member id must be positive, got " + r.getId());
            }
            if (!validHostPort(r.getPeerAddress())) {
                throw Errors.of(ErrorReason.INVALID_DATA, "peer_address '" + r.getPeerAddress()
                        + "' is not of the form host:port");
            }
            NodeStatus s = leaderStatus("add a member");
            if (s.voters().contains(r.getId()) || s.learners().contains(r.getId())) {
                throw refused("node " + r.getId() + " is already a member");
            }
            long id = r.getId();
            return markObserver(id, r.getObserver())
                    .thenCompose(marked -> change(node.addMember(id, r.getPeerAddress(), true)))
                    .thenApply(v -> AddMemberResponse
                    .newBuilder().setHeader(headers.of(state.revision()))
                    .addAllMembers(MemberViews.of(node.status(), state)).build());
        });
    }

    @Override
    public void promoteMember(PromoteMemberRequest r, StreamObserver<PromoteMemberResponse> out) {
        replies.reply(out, () -> {
            NodeStatus s = leaderStatus("promote a member");
            long id = r.getId();
            if (!s.learners().contains(id)) {
                throw refused("node " + id + " is not a learner" + (s.voters().contains(id) ? " (it is a voter)" : ""));
            }
            long match = s.matchIndex().getOrDefault(id, 0L);
            if (match + promoteMaxLag < s.commitIndex()) {
                throw Errors.of(ErrorReason.NOT_LEARNER_CAUGHT_UP, "learner " + id + " has replicated up to index "
                                + match + " but the leader has committed " + s.commitIndex() + "; promote it when it is "
                                + "within " + promoteMaxLag + " entries",
                        "match_index", Long.toString(match), "commit_index", Long.toString(s.commitIndex()));
            }
            return change(node.promote(id)).thenApply(v -> PromoteMemberResponse.newBuilder()
                    .setHeader(headers.of(state.revision()))
                    .addAllMembers(MemberViews.of(node.status(), state)).build());
        });
    }

    @Override
    public void removeMember(RemoveMemberRequest r, StreamObserver<RemoveMemberResponse> out) {
        replies.reply(out, () -> {
            NodeStatus s = leaderStatus("remove a member");
            long id = r.getId();
            if (!s.voters().contains(id) && !s.learners().contains(id)) {
                throw refused("node " + id + " is not a member");
            }
            if (s.voters().contains(id)) {
                int left = s.voters().size() - 1;
                if (left == 0) {
                    throw refused("node " + id + " is the last voter; removing it would leave no cluster");
                }
                long live = s.voters().stream()
                        .filter(v -> v != id && (v == s.id() || s.active().getOrDefault(v, false))).count();
                int quorum = left / 2 + 1;
                if (live < quorum) {
                    throw refused("removing node " + id + " would leave " + left + " voters of which only " + live
                            + " are active; a quorum needs " + quorum + ": bring members back first");
                }
            }
            return change(node.removeMember(id)).thenApply(v -> RemoveMemberResponse.newBuilder()
                    .setHeader(headers.of(state.revision()))
                    .addAllMembers(MemberViews.of(node.status(), state)).build());
        });
    }

    @Override
    public void transferLeadership(TransferLeadershipRequest r, StreamObserver<TransferLeadershipResponse> out) {
        replies.reply(out, () -> {
            NodeStatus s = leaderStatus("transfer leadership");
            long to = r.getToId() != 0 ? r.getToId() : mostUpToDateOtherVoter(s);
            if (to == s.id()) {
                return CompletableFuture.completedFuture(TransferLeadershipResponse.newBuilder()
                        .setHeader(headers.of(state.revision())).setLeaderId(to).build());
            }
            if (!s.voters().contains(to)) {
                throw refused("node " + to + " is not a voter, so it cannot lead");
            }
            return change(node.transferLeadership(to)).thenApply(v -> TransferLeadershipResponse.newBuilder()
                    .setHeader(headers.of(state.revision())).setLeaderId(to).build());
        });
    }

    @Override
    public void status(StatusRequest r, StreamObserver<StatusResponse> out) {
        replies.reply(out, () -> {
            NodeStatus s = node.status();
            return CompletableFuture.completedFuture(StatusResponse.newBuilder().setHeader(headers.of(state.revision()))
                    .setId(s.id()).setRole(s.role()).setLeaderId(s.leaderId()).setTerm(s.term())
                    .setCommitIndex(s.commitIndex()).setAppliedIndex(s.appliedIndex())
                    .setDbSizeBytes(storeBytes.getAsLong()).setVersion(VERSION)
                    .setClientAddress(clientAddress.get()).setPeerAddress(s.members().getOrDefault(s.id(), ""))
                    .setDatacenter(placement.datacenter()).setZone(placement.zone()).build());
        });
    }

    private NodeStatus leaderStatus(String what) {
        NodeStatus s = node.status();
        if (!"leader".equals(s.role())) {
            throw errors.noLeader("node " + s.id() + " cannot " + what + ": only the leader can", s.leaderId());
        }
        return s;
    }

    private long mostUpToDateOtherVoter(NodeStatus s) {
        long best = s.mostUpToDateOtherVoter();
        if (best == 0) {
            throw refused("there is no other voter to hand leadership to");
        }
        return best;
    }

    /** Records in the replicated state whether member {@code id} is an observer. */
    private CompletableFuture<Void> markObserver(long id, boolean observer) {
        return proposer.propose(Command.newBuilder().setMarkObserver(MarkObserver.newBuilder().setMemberId(id)
                .setObserver(observer)), Deadlines.remainingMillis(defaultDeadline)).thenApply(result -> null);
    }

    /** Waits for a membership future within the deadline; the core's refusals become MEMBERSHIP_REFUSED. */
    private CompletableFuture<Void> change(CompletableFuture<Void> f) {
        return f.orTimeout(Deadlines.remainingMillis(defaultDeadline), TimeUnit.MILLISECONDS).exceptionallyCompose(e -> {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            return CompletableFuture.failedFuture(cause instanceof IllegalArgumentException
                    ? refused(cause.getMessage()) : cause);
        });
    }

    private static io.grpc.StatusRuntimeException refused(String message) {
        return Errors.of(ErrorReason.MEMBERSHIP_REFUSED, message);
    }

    static boolean validHostPort(String s) {
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            return false;
        }
        try {
            int port = Integer.parseInt(s.substring(colon + 1));
            return port > 0 && port <= 65535;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static String versionOf() {
        String v = ClusterService.class.getPackage().getImplementationVersion();
        return v != null ? v : "0.1.0-SNAPSHOT";
    }
}
