package io.kvorum.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.kvorum.proto.v1.AddMemberRequest;
import io.kvorum.proto.v1.CreateRequest;
import io.kvorum.proto.v1.GetRequest;
import io.kvorum.proto.v1.PromoteMemberRequest;
import io.kvorum.server.testing.InJvmCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Disaster recovery: two of three members' data is lost for good; the survivor is forced into
 * a one-member cluster, two fresh members are added, and every write acknowledged before the
 * loss is on all three.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DisasterRecoveryTest {
    @TempDir
    Path dir;

    @Test
    void survivorForcedIntoANewClusterKeepsEveryAcknowledgedWrite() throws Exception {
        int writes = 200;
        try (InJvmCluster c = new InJvmCluster(dir, 3, "dr")) {
            c.startAll();
            long leader = c.awaitLeader();
            for (int i = 0; i < writes; i++) {
                c.kv(leader).create(CreateRequest.newBuilder().setPath("/k" + i)
                        .setData(ByteString.copyFromUtf8("v" + i)).build());
            }
            // Node 3 survives; make sure it holds every acknowledged write before the others go.
            long last = c.node(leader).node().status().commitIndex();
            await().atMost(Duration.ofSeconds(20)).until(() -> c.node(3).node().status().appliedIndex() >= last);
            c.stopAll();
            deleteTree(c.dataDir(1));
            deleteTree(c.dataDir(2));

            ForceNewCluster.apply(c.dataDir(3).resolve("db"), "dr", 3);
            c.start(3);
            assertEquals(3, c.awaitLeader());
            assertEquals(Set.of(3L), c.node(3).node().status().voters());
            // Forcing again is a no-op on a one-member cluster.
            c.stop(3);
            assertEquals(Set.of(3L), ForceNewCluster.apply(c.dataDir(3).resolve("db"), "dr", 3).voters());
            c.start(3);
            c.awaitLeader();

            // Fresh members 1 and 2 (empty data dirs) join as learners and are promoted.
            for (long id : new long[] {1, 2}) {
                c.cluster(3).addMember(AddMemberRequest.newBuilder().setId(id).setPeerAddress(c.peerAddress(id))
                        .build());
                c.start(id, true);
                long joining = id;
                await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                    c.cluster(3).promoteMember(PromoteMemberRequest.newBuilder().setId(joining).build());
                    return true;
                });
            }
            assertEquals(Set.of(1L, 2L, 3L), c.node(3).node().status().voters());
            for (long id = 1; id <= 3; id++) {
                long member = id;
                // A member just promoted may not know the leader yet: it answers NO_LEADER at once
                // until it does, so each member's reads are retried until it serves them.
                await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
                    for (int i = 0; i < writes; i++) {
                        assertEquals("v" + i, c.kv(member).get(GetRequest.newBuilder().setPath("/k" + i).build())
                                .getData().toStringUtf8(), "member " + member + " /k" + i);
                    }
                });
            }
            // And the new cluster takes writes.
            long[] revision = new long[1];
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                revision[0] = c.kv(1).create(CreateRequest.newBuilder().setPath("/after").build()).getHeader()
                        .getRevision();
                return true;
            });
            assertTrue(revision[0] > writes);
        }
    }

    private static void deleteTree(Path d) throws Exception {
        try (Stream<Path> s = Files.walk(d)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
