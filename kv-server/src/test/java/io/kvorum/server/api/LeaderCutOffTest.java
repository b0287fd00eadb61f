package io.kvorum.server.api;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.kvorum.proto.v1.Consistency;
import io.kvorum.proto.v1.CreateRequest;
import io.kvorum.proto.v1.GetRequest;
import io.kvorum.proto.v1.SetRequest;
import io.kvorum.server.testing.InJvmCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node that cannot reach a leader answers UNAVAILABLE / NO_LEADER at once, instead of holding
 * the call until the caller's deadline (a forwarded proposal or ReadIndex that nothing will ever
 * answer), so a client moves on to a node that can serve it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LeaderCutOffTest {
    /**
     * Far below the calls' own deadline ({@link InJvmCluster#RPC_DEADLINE}, 10 s), and below the
     * 2 s a read barrier would be retried on the node if the refusal were a plain NotLeader;
     * room for a loaded machine.
     */
    private static final long BOUND_MILLIS = 1_500;

    @TempDir
    Path dir;
    InJvmCluster cluster;

    @AfterEach
    void stop() {
        cluster.close();
    }

    @Test
    void aFollowerWhoseLeaderAndQuorumAreGoneRefusesWritesAndReadsAtOnce() throws Exception {
        cluster = new InJvmCluster(dir, 3, "cut-off").startAll();
        long leader = cluster.awaitLeader();
        long follower = cluster.other(leader);
        long third = cluster.runningIds().stream().filter(id -> id != leader && id != follower).findFirst()
                .orElseThrow();
        Calls.retry(() -> cluster.kv(follower).create(CreateRequest.newBuilder().setPath("/a")
                .setData(ByteString.copyFromUtf8("1")).build()));

        // The third node goes first: were the leader stopped first, the follower and the third
        // could elect the follower (a dead leader is noticed in milliseconds) before the third
        // stops, and a leader that has lost its quorum holds a write it proposed (it may yet
        // commit) instead of refusing it.
        cluster.stop(third);
        cluster.stop(leader);

        // Right after the stop (the follower still trusts its leader), through its pre-votes
        // (no leader known): every call is refused, each well before its deadline.
        for (int i = 0; i < 12; i++) {
            boolean write = i % 2 == 0;
            long started = System.nanoTime();
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> {
                if (write) {
                    cluster.kv(follower).set(SetRequest.newBuilder().setPath("/a")
                            .setData(ByteString.copyFromUtf8("2")).build());
                } else {
                    cluster.kv(follower).get(GetRequest.newBuilder().setPath("/a")
                            .setConsistency(Consistency.LINEARIZABLE).build());
                }
            });
            long millis = (System.nanoTime() - started) / 1_000_000;
            String what = (write ? "write" : "read") + " " + i + ": " + e.getStatus();
            assertEquals(Code.UNAVAILABLE, e.getStatus().getCode(), what);
            assertEquals("NO_LEADER", ErrorDetails.reason(e), what);
            assertTrue(millis < BOUND_MILLIS, what + " took " + millis + " ms");
        }
        // Serializable reads need no leader and still work on the node.
        assertEquals("1", cluster.kv(follower).get(GetRequest.newBuilder().setPath("/a")
                .setConsistency(Consistency.SERIALIZABLE).build()).getData().toStringUtf8());
    }

    @Test
    void aFollowerCutOffFromTheLeaderEndsItsWatchStreamsSoWatchersMoveOn() throws Exception {
        cluster = new InJvmCluster(dir, 3, "cut-off-watch").startAll();
        long leader = cluster.awaitLeader();
        long follower = cluster.other(leader);
        long third = cluster.runningIds().stream().filter(id -> id != leader && id != follower).findFirst()
                .orElseThrow();
        Calls.retry(() -> cluster.kv(follower).create(CreateRequest.newBuilder().setPath("/w")
                .setData(ByteString.copyFromUtf8("1")).build()));

        try (WatchClient watch = new WatchClient(cluster.watch(follower))) {
            watch.create(1, "/w", false, 0);
            assertTrue(watch.nextNonProgress(10_000).getCreated());
            // While the follower is in touch with its leader the stream stays and delivers.
            Calls.retry(() -> cluster.kv(leader).set(SetRequest.newBuilder().setPath("/w")
                    .setData(ByteString.copyFromUtf8("2")).build()));
            assertEquals(1, watch.events(1, 1, 10_000).size());
            assertNull(watch.error, "the stream of a node in touch with its leader stays open");

            cluster.stop(third); // first, for the reason given in the test above
            cluster.stop(leader);

            // Nothing new can reach the follower now: it ends the stream instead of keeping its
            // watchers waiting for events that would happen elsewhere.
            await().atMost(Duration.ofSeconds(20)).until(() -> watch.error != null);
            StatusRuntimeException e = (StatusRuntimeException) watch.error;
            assertEquals(Code.UNAVAILABLE, e.getStatus().getCode(), e.getStatus().toString());
            assertEquals("NO_LEADER", ErrorDetails.reason(e), e.getStatus().toString());

            // A stream opened on the node while it stays cut off ends too.
            try (WatchClient late = new WatchClient(cluster.watch(follower))) {
                late.create(2, "/w", false, 0);
                await().atMost(Duration.ofSeconds(20)).until(() -> late.error != null);
                assertEquals("NO_LEADER", ErrorDetails.reason((StatusRuntimeException) late.error));
            }
        }
    }
}
