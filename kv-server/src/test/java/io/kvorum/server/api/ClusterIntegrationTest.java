package io.kvorum.server.api;

import static io.kvorum.server.api.Calls.expect;
import static io.kvorum.server.api.Calls.retry;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.rpc.ErrorInfo;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.kvorum.proto.v1.AddMemberRequest;
import io.kvorum.proto.v1.AddMemberResponse;
import io.kvorum.proto.v1.CreateRequest;
import io.kvorum.proto.v1.ListMembersRequest;
import io.kvorum.proto.v1.ListMembersResponse;
import io.kvorum.proto.v1.Member;
import io.kvorum.proto.v1.PromoteMemberRequest;
import io.kvorum.proto.v1.RemoveMemberRequest;
import io.kvorum.proto.v1.RemoveMemberResponse;
import io.kvorum.proto.v1.StatusRequest;
import io.kvorum.proto.v1.StatusResponse;
import io.kvorum.proto.v1.TransferLeadershipRequest;
import io.kvorum.proto.v1.TransferLeadershipResponse;
import io.kvorum.server.testing.InJvmCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The Cluster service against a real 3-node cluster: views, refusals, and changes that work. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusterIntegrationTest {
    @TempDir
    Path dir;
    InJvmCluster cluster;
    long leader;
    long follower;

    @BeforeEach
    void create() throws Exception {
        cluster = new InJvmCluster(dir, 3, "api-test");
    }

    private void startCluster() throws Exception {
        cluster.startAll();
        leader = cluster.awaitLeader();
        follower = cluster.other(leader);
        cluster.awaitAddressesAnnounced();
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private static Map<Long, Member> byId(Iterable<Member> members) {
        Map<Long, Member> out = new TreeMap<>();
        members.forEach(m -> out.put(m.getId(), m));
        return out;
    }

    @Test
    void listMembersShowsAddressesRolesAndTheLeadersProgressView() throws Exception {
        startCluster();
        await().atMost(Duration.ofSeconds(10)).until(() -> byId(cluster.cluster(leader)
                .listMembers(ListMembersRequest.getDefaultInstance()).getMembersList()).values().stream()
                .allMatch(Member::getActive));
        ListMembersResponse r = cluster.cluster(leader).listMembers(ListMembersRequest.getDefaultInstance());
        assertEquals(leader, r.getLeaderId());
        Map<Long, Member> m = byId(r.getMembersList());
        assertEquals(3, m.size());
        for (long id = 1; id <= 3; id++) {
            Member x = m.get(id);
            assertEquals(cluster.clientAddress(id), x.getClientAddress());
            assertEquals(cluster.peerAddress(id), x.getPeerAddress());
            assertEquals(id == leader ? "leader" : "follower", x.getRole());
            assertFalse(x.getIsLearner());
            assertTrue(x.getMatchIndex() > 0);
        }
        Map<Long, Member> fromFollower = byId(cluster.cluster(follower)
                .listMembers(ListMembersRequest.getDefaultInstance()).getMembersList());
        assertEquals("leader", fromFollower.get(leader).getRole());
        assertEquals("follower", fromFollower.get(follower).getRole());
        assertEquals("unknown", fromFollower.get(6 - leader - follower).getRole(), "only the leader knows");
        assertEquals(0, fromFollower.get(leader).getMatchIndex());
    }

    @Test
    void membershipChangesOnAFollowerAreUnavailableNamingTheLeadersClientAddress() throws Exception {
        startCluster();
        StatusRuntimeException e = expect(Code.UNAVAILABLE, "NO_LEADER", () -> cluster.cluster(follower)
                .removeMember(RemoveMemberRequest.newBuilder().setId(leader).build()));
        ErrorInfo info = ErrorDetails.info(e);
        assertEquals(Long.toString(leader), info.getMetadataOrThrow("leader_id"));
        assertEquals(cluster.clientAddress(leader), info.getMetadataOrThrow("leader_address"));
        assertTrue(e.getStatus().getDescription().contains(cluster.clientAddress(leader)));
        expect(Code.UNAVAILABLE, "NO_LEADER", () -> cluster.cluster(follower).transferLeadership(
                TransferLeadershipRequest.getDefaultInstance()));
    }

    @Test
    void removingAVoterIsRefusedWhenTheVotersLeftWouldNotIncludeALiveQuorum() throws Exception {
        startCluster();
        long dead = follower;
        long alive = 6 - leader - dead;
        cluster.stop(dead);
        await().atMost(Duration.ofSeconds(10)).until(() -> !byId(cluster.cluster(leader)
                .listMembers(ListMembersRequest.getDefaultInstance()).getMembersList()).get(dead).getActive());
        StatusRuntimeException e = expect(Code.FAILED_PRECONDITION, "MEMBERSHIP_REFUSED", () -> cluster.cluster(leader)
                .removeMember(RemoveMemberRequest.newBuilder().setId(alive).build()));
        assertTrue(e.getStatus().getDescription().contains("leave 2 voters of which only 1 are active"),
                e.getStatus().getDescription());
        expect(Code.FAILED_PRECONDITION, "MEMBERSHIP_REFUSED", () -> cluster.cluster(leader)
                .removeMember(RemoveMemberRequest.newBuilder().setId(99).build()));
        RemoveMemberResponse ok = retry(() -> cluster.cluster(leader).removeMember(RemoveMemberRequest.newBuilder()
                .setId(dead).build()));
        assertEquals(2, ok.getMembersCount());
        assertFalse(byId(ok.getMembersList()).containsKey(dead));
        // the two left still make progress
        retry(() -> cluster.kv(alive).create(CreateRequest.newBuilder().setPath("/after-remove").build()));
    }

    @Test
    void aLearnerIsPromotedOnlyOnceItCaughtUp() throws Exception {
        ApiOptions o = cluster.options();
        cluster.options(new ApiOptions(o.defaultDeadline(), o.touchFlushInterval(), o.expiryCheckInterval(),
                o.ttlNodeCheckInterval(), o.announceInterval(), o.watchProgressAfter(), o.watcherMaxEvents(),
                o.watcherMaxBytes(), 5, o.pageSizes()));
        startCluster();
        cluster.reserve(4);
        expect(Code.INVALID_ARGUMENT, "INVALID_DATA", () -> cluster.cluster(leader).addMember(AddMemberRequest
                .newBuilder().setId(4).setPeerAddress("no-port").build()));
        expect(Code.FAILED_PRECONDITION, "MEMBERSHIP_REFUSED", () -> cluster.cluster(leader).addMember(
                AddMemberRequest.newBuilder().setId(follower).setPeerAddress(cluster.peerAddress(follower)).build()));
        AddMemberResponse added = retry(() -> cluster.cluster(leader).addMember(AddMemberRequest.newBuilder().setId(4)
                .setPeerAddress(cluster.peerAddress(4L)).build()));
        assertTrue(byId(added.getMembersList()).get(4L).getIsLearner());
        for (int i = 0; i < 20; i++) {
            int n = i;
            retry(() -> cluster.kv(leader).create(CreateRequest.newBuilder().setPath("/fill-" + n)
                    .setData(ByteString.copyFromUtf8("x")).build()));
        }
        StatusRuntimeException e = expect(Code.FAILED_PRECONDITION, "NOT_LEARNER_CAUGHT_UP", () -> cluster
                .cluster(leader).promoteMember(PromoteMemberRequest.newBuilder().setId(4).build()));
        ErrorInfo info = ErrorDetails.info(e);
        assertEquals("0", info.getMetadataOrThrow("match_index"));
        assertTrue(Long.parseLong(info.getMetadataOrThrow("commit_index")) > 20);
        expect(Code.FAILED_PRECONDITION, "MEMBERSHIP_REFUSED", () -> cluster.cluster(leader).promoteMember(
                PromoteMemberRequest.newBuilder().setId(follower).build()));

        cluster.start(4, true);
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            var s = cluster.node(leader).node().status();
            return s.matchIndex().getOrDefault(4L, 0L) + 5 >= s.commitIndex();
        });
        var promoted = retry(() -> cluster.cluster(leader).promoteMember(PromoteMemberRequest.newBuilder().setId(4)
                .build()));
        assertFalse(byId(promoted.getMembersList()).get(4L).getIsLearner());
        assertTrue(cluster.node(leader).node().status().voters().contains(4L));
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.node(4).state().get("/fill-19").isPresent());
    }

    @Test
    void transferLeadershipToTheMostUpToDateVoter() throws Exception {
        startCluster();
        TransferLeadershipResponse self = cluster.cluster(leader).transferLeadership(TransferLeadershipRequest
                .newBuilder().setToId(leader).build());
        assertEquals(leader, self.getLeaderId());
        TransferLeadershipResponse r = retry(() -> cluster.cluster(leader).transferLeadership(
                TransferLeadershipRequest.getDefaultInstance()));
        assertNotEquals(leader, r.getLeaderId());
        await().atMost(Duration.ofSeconds(10)).until(() -> "leader".equals(cluster.node(r.getLeaderId()).node()
                .status().role()));
        expect(Code.FAILED_PRECONDITION, "MEMBERSHIP_REFUSED", () -> cluster.cluster(r.getLeaderId())
                .transferLeadership(TransferLeadershipRequest.newBuilder().setToId(42).build()));
    }

    @Test
    void statusDescribesTheAnsweringNode() throws Exception {
        startCluster();
        StatusResponse s = cluster.cluster(follower).status(StatusRequest.getDefaultInstance());
        assertEquals(follower, s.getId());
        assertEquals("follower", s.getRole());
        assertEquals(leader, s.getLeaderId());
        assertTrue(s.getTerm() > 0);
        assertTrue(s.getCommitIndex() >= s.getAppliedIndex() && s.getAppliedIndex() > 0);
        assertTrue(s.getDbSizeBytes() > 0);
        assertEquals(cluster.clientAddress(follower), s.getClientAddress());
        assertEquals(cluster.peerAddress(follower), s.getPeerAddress());
        assertFalse(s.getVersion().isEmpty());
        assertEquals(follower, s.getHeader().getMemberId());
    }
}
