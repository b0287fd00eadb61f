package io.kvorum.server.api;

import static io.kvorum.server.api.Calls.retry;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.kvorum.proto.v1.AddMemberRequest;
import io.kvorum.proto.v1.Consistency;
import io.kvorum.proto.v1.CreateRequest;
import io.kvorum.proto.v1.GetRequest;
import io.kvorum.proto.v1.ListMembersRequest;
import io.kvorum.proto.v1.Member;
import io.kvorum.proto.v1.PromoteMemberRequest;
import io.kvorum.proto.v1.SetRequest;
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

/**
 * An observer (node 4, in its own datacenter) added to three voters: it replicates, serves
 * serializable reads from its copy and linearizable ones through a ReadIndex at the leader,
 * never joins a quorum, and becomes a voter only when promoted.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ObserverTest {
    @TempDir
    Path dir;
    InJvmCluster cluster;
    long leader;

    @BeforeEach
    void start() throws Exception {
        cluster = new InJvmCluster(dir, 3, "observer-test");
        cluster.startAll();
        leader = cluster.awaitLeader();
        cluster.reserve(4);
        cluster.placement(4, new Placement("remote", "", List.of()));
        retry(() -> cluster.cluster(leader).addMember(AddMemberRequest.newBuilder().setId(4)
                .setPeerAddress(cluster.peerAddress(4)).setObserver(true).build()));
        cluster.start(4, true);
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private Map<Long, Member> members() {
        Map<Long, Member> out = new TreeMap<>();
        retry(() -> cluster.cluster(leader).listMembers(ListMembersRequest.getDefaultInstance())).getMembersList()
                .forEach(m -> out.put(m.getId(), m));
        return out;
    }

    private void create(String path, String data) {
        retry(() -> cluster.kv(leader).create(CreateRequest.newBuilder().setPath(path)
                .setData(ByteString.copyFromUtf8(data)).build()));
    }

    private String read(long node, String path, Consistency consistency) {
        return cluster.kv(node).get(GetRequest.newBuilder().setPath(path).setConsistency(consistency).build())
                .getData().toStringUtf8();
    }

    @Test
    void anObserverIsShownAsOneAndServesBothKindsOfRead() {
        Member m = members().get(4L);
        assertTrue(m.getObserver());
        assertTrue(m.getIsLearner());
        assertEquals("observer", m.getRole());
        await().atMost(Duration.ofSeconds(20)).until(() -> "remote".equals(members().get(4L).getDatacenter()));

        create("/a", "1");
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            try {
                return "1".equals(read(4, "/a", Consistency.SERIALIZABLE));
            } catch (RuntimeException notYet) {
                return false;
            }
        });
        // A linearizable read through the observer reflects every write acknowledged before it.
        for (int i = 2; i <= 20; i++) {
            String v = Integer.toString(i);
            retry(() -> cluster.kv(leader).set(SetRequest.newBuilder().setPath("/a")
                    .setData(ByteString.copyFromUtf8(v)).setExpectedVersion(-1).build()));
            assertEquals(v, retry(() -> read(4, "/a", Consistency.LINEARIZABLE)));
        }
    }

    @Test
    void losingTheObserverDoesNotTouchTheQuorumAndNeitherDoesLosingOneVoter() {
        create("/before", "x");
        cluster.stop(4);
        create("/without-observer", "x");
        long voter = cluster.other(leader);
        cluster.stop(voter);
        // Two of three voters left: still a quorum, whatever the observer's state.
        create("/without-observer-and-a-voter", "x");
        assertEquals("x", read(leader, "/without-observer-and-a-voter", Consistency.LINEARIZABLE));
    }

    @Test
    void promotingAnObserverMakesItAPlainVoter() {
        create("/a", "1");
        await().atMost(Duration.ofSeconds(20)).until(() -> cluster.node(4) != null
                && cluster.node(4).node().status().appliedIndex() >= cluster.node(leader).node().status().commitIndex());
        retry(() -> cluster.cluster(leader).promoteMember(PromoteMemberRequest.newBuilder().setId(4).build()));
        Member m = members().get(4L);
        assertFalse(m.getIsLearner());
        assertFalse(m.getObserver());
        assertEquals("follower", m.getRole());
    }
}
