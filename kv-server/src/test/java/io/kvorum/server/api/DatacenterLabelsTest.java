package io.kvorum.server.api;

import static io.kvorum.server.api.Calls.retry;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.kvorum.proto.v1.AddMemberRequest;
import io.kvorum.proto.v1.CreateRequest;
import io.kvorum.proto.v1.ListMembersRequest;
import io.kvorum.proto.v1.Member;
import io.kvorum.proto.v1.PromoteMemberRequest;
import io.kvorum.proto.v1.RemoveMemberRequest;
import io.kvorum.proto.v1.StatusRequest;
import io.kvorum.proto.v1.StatusResponse;
import io.kvorum.server.testing.InJvmCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Members' datacenter and zone labels: announced, replicated, shown, kept across restarts and membership changes. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DatacenterLabelsTest {
    @TempDir
    Path dir;
    InJvmCluster cluster;

    @BeforeEach
    void create() throws Exception {
        cluster = new InJvmCluster(dir, 3, "dc-test");
        cluster.placement(1, new Placement("dc1", "a", List.of()))
                .placement(2, new Placement("dc1", "b", List.of()))
                .placement(3, new Placement("dc2", "", List.of()));
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private Map<Long, Member> members(long askedOf) {
        Map<Long, Member> out = new TreeMap<>();
        cluster.cluster(askedOf).listMembers(ListMembersRequest.getDefaultInstance()).getMembersList()
                .forEach(m -> out.put(m.getId(), m));
        return out;
    }

    private void awaitDatacenter(long askedOf, long member, String datacenter) {
        await().atMost(Duration.ofSeconds(20))
                .until(() -> members(askedOf).containsKey(member)
                        && datacenter.equals(members(askedOf).get(member).getDatacenter()));
    }

    @Test
    void everyMemberSeesEveryMembersLabels() throws Exception {
        cluster.startAll();
        cluster.awaitLeader();
        for (long askedOf = 1; askedOf <= 3; askedOf++) {
            awaitDatacenter(askedOf, 3, "dc2");
            awaitDatacenter(askedOf, 1, "dc1");
            Map<Long, Member> m = members(askedOf);
            assertEquals("a", m.get(1L).getZone());
            assertEquals("b", m.get(2L).getZone());
            assertEquals("dc1", m.get(2L).getDatacenter());
            assertEquals("", m.get(3L).getZone());
        }
        StatusResponse s = cluster.cluster(2).status(StatusRequest.getDefaultInstance());
        assertEquals("dc1", s.getDatacenter());
        assertEquals("b", s.getZone());
    }

    @Test
    void labelsSurviveARestartAndFollowTheFlags() throws Exception {
        cluster.startAll();
        cluster.awaitLeader();
        awaitDatacenter(1, 3, "dc2");
        cluster.stopAll();
        // Restarted without any labels of its own, node 1 still knows the others' from its store.
        cluster.placement(1, Placement.NONE);
        cluster.start(1);
        assertEquals("dc2", cluster.node(1).state().memberLocalities().get(3L).getDatacenter());
        // Node 3 moves: restarted with another datacenter, it announces that one.
        cluster.placement(3, new Placement("dc3", "z", List.of()));
        cluster.start(2);
        cluster.start(3);
        cluster.awaitLeader();
        awaitDatacenter(1, 3, "dc3");
        await().atMost(Duration.ofSeconds(20)).until(() -> members(2).get(1L).getDatacenter().isEmpty());
        assertEquals("z", members(2).get(3L).getZone());
    }

    /**
     * A member added after the log that held the founders' announcements was compacted learns
     * their labels from the snapshot it is sent; promoting it and removing a founder leave every
     * remaining member's labels as they were, on every remaining member.
     */
    @Test
    void labelsSurviveMembershipChanges() throws Exception {
        cluster.snapshotEntries(20);
        cluster.startAll();
        long leader = cluster.awaitLeader();
        for (long id = 1; id <= 3; id++) {
            awaitDatacenter(leader, id, id == 3 ? "dc2" : "dc1");
        }
        long announcedBy = cluster.node(leader).node().status().commitIndex();
        for (int i = 0; i < 100; i++) {
            String path = "/k" + i;
            retry(() -> cluster.kv(leader).create(CreateRequest.newBuilder().setPath(path)
                    .setData(ByteString.copyFromUtf8("x")).build()));
        }
        await().atMost(Duration.ofSeconds(20))
                .until(() -> cluster.node(leader).node().store().firstIndex() > announcedBy);

        cluster.reserve(4);
        cluster.placement(4, new Placement("dc3", "c", List.of()));
        retry(() -> cluster.cluster(leader).addMember(AddMemberRequest.newBuilder().setId(4)
                .setPeerAddress(cluster.peerAddress(4)).build()));
        cluster.start(4, true);
        awaitDatacenter(4, 4, "dc3"); // node 4 applied its own announcement, after the snapshot
        assertTrue(cluster.node(4).node().store().firstIndex() > announcedBy,
                "node 4 caught up by a snapshot, not by replaying the announcements");
        assertLabels(4, 1, 2, 3, 4);

        await().atMost(Duration.ofSeconds(20)).until(() -> cluster.node(4).node().status().appliedIndex()
                >= cluster.node(leader).node().status().commitIndex());
        retry(() -> cluster.cluster(leader).promoteMember(PromoteMemberRequest.newBuilder().setId(4).build()));
        long gone = leader == 2 ? 3 : 2;
        retry(() -> cluster.cluster(leader).removeMember(RemoveMemberRequest.newBuilder().setId(gone).build()));
        cluster.stop(gone);
        long[] left = gone == 2 ? new long[] {1, 3, 4} : new long[] {1, 2, 4};
        for (long askedOf : left) {
            await().atMost(Duration.ofSeconds(20)).until(() -> !members(askedOf).containsKey(gone)
                    && !members(askedOf).get(4L).getIsLearner());
            assertLabels(askedOf, left);
        }
    }

    /** What {@code askedOf} lists for each of {@code ids}: the labels their placements announced. */
    private void assertLabels(long askedOf, long... ids) {
        Map<Long, Member> m = members(askedOf);
        Map<Long, String> expected = Map.of(1L, "dc1/a", 2L, "dc1/b", 3L, "dc2/", 4L, "dc3/c");
        for (long id : ids) {
            assertTrue(m.containsKey(id), "node " + askedOf + " lists member " + id + ": " + m.keySet());
            assertEquals(expected.get(id), m.get(id).getDatacenter() + "/" + m.get(id).getZone(),
                    "member " + id + " as node " + askedOf + " lists it");
        }
        assertFalse(m.values().stream().anyMatch(x -> x.getDatacenter().isEmpty()), "a member lost its labels: " + m);
    }
}
