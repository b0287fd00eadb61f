package io.kvorum.server.api;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvorum.proto.v1.ListMembersRequest;
import io.kvorum.proto.v1.Member;
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

/** Members' datacenter and zone labels: announced, replicated, shown, kept across restarts. */
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
                .until(() -> datacenter.equals(members(askedOf).get(member).getDatacenter()));
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
}
