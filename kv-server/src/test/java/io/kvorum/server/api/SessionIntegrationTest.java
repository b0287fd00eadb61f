package io.kvorum.server.api;

import static io.kvorum.server.api.Calls.expect;
import static io.kvorum.server.api.Calls.retry;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status.Code;
import io.kvorum.proto.v1.CloseSessionRequest;
import io.kvorum.proto.v1.CreateMode;
import io.kvorum.proto.v1.CreateRequest;
import io.kvorum.proto.v1.ExistsRequest;
import io.kvorum.proto.v1.KeepAliveResponse;
import io.kvorum.proto.v1.OpenSessionRequest;
import io.kvorum.proto.v1.OpenSessionResponse;
import io.kvorum.server.testing.InJvmCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Sessions and ephemeral nodes against a real 3-node cluster. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SessionIntegrationTest {
    static final long TTL = 2_000;

    @TempDir
    Path dir;
    InJvmCluster cluster;
    long leader;
    long follower;

    @BeforeEach
    void start() throws Exception {
        cluster = new InJvmCluster(dir, 3, "api-test");
        cluster.startAll();
        leader = cluster.awaitLeader();
        follower = cluster.other(leader);
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private long open(long node, long ttl) {
        OpenSessionResponse r = retry(() -> cluster.session(node).open(OpenSessionRequest.newBuilder()
                .setTtlMillis(ttl).build()));
        assertEquals(ttl, r.getTtlMillis());
        return r.getSessionId();
    }

    private void ephemeral(long node, String path, long session) {
        retry(() -> cluster.kv(node).create(CreateRequest.newBuilder().setPath(path).setMode(CreateMode.EPHEMERAL)
                .setSessionId(session).build()));
    }

    private boolean exists(long node, String path) {
        return retry(() -> cluster.kv(node).exists(ExistsRequest.newBuilder().setPath(path).build())).getExists();
    }

    @Test
    void closingTheSessionDeletesItsEphemerals() {
        long s = open(follower, TTL);
        ephemeral(leader, "/eph", s);
        assertTrue(exists(follower, "/eph"));
        cluster.session(follower).close(CloseSessionRequest.newBuilder().setSessionId(s).build());
        assertFalse(exists(leader, "/eph"));
        assertFalse(exists(follower, "/eph"));
        expect(Code.FAILED_PRECONDITION, "SESSION_EXPIRED", () -> cluster.session(leader)
                .close(CloseSessionRequest.newBuilder().setSessionId(s).build()));
    }

    @Test
    void anEphemeralNodeCannotHaveChildren() {
        long s = open(leader, TTL);
        ephemeral(leader, "/eph", s);
        expect(Code.FAILED_PRECONDITION, "NO_CHILDREN_FOR_EPHEMERALS", () -> cluster.kv(follower)
                .create(CreateRequest.newBuilder().setPath("/eph/child").build()));
    }

    @Test
    void keepAlivesThroughAFollowerKeepTheSessionPastSeveralTtlsThenItExpires() throws Exception {
        long s = open(follower, TTL);
        ephemeral(follower, "/alive", s);
        long stopped;
        try (KeepAliver k = new KeepAliver(cluster.sessionAsync(follower), s, TTL / 4)) {
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(3 * TTL);
            while (System.nanoTime() < until) {
                assertTrue(exists(leader, "/alive"), "the session lives while kept alive");
                Thread.sleep(200);
            }
            KeepAliveResponse a = k.answers.poll(5, TimeUnit.SECONDS);
            assertNotNull(a);
            assertFalse(a.getExpired());
            assertEquals(TTL, a.getTtlMillis());
            assertNull(k.failure);
            k.close();
            stopped = k.lastSentNanos;
        }
        Thread.sleep(Math.max(0, TTL / 2 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped)));
        assertTrue(exists(leader, "/alive"), "not expired before its TTL");
        await().atMost(Duration.ofMillis(TTL + 5_000)).pollInterval(Duration.ofMillis(50))
                .until(() -> !exists(follower, "/alive"));
        long gone = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped);
        assertTrue(gone >= TTL - 300, "expired " + gone + " ms after the last keep-alive, TTL " + TTL);
        assertFalse(cluster.node(leader).state().sessions().containsKey(s));
    }

    @Test
    void aSessionNobodyKeepsAliveExpiresAfterItsTtl() {
        long s = open(leader, TTL);
        ephemeral(leader, "/lonely", s);
        long opened = System.nanoTime();
        await().atMost(Duration.ofMillis(TTL + 5_000)).pollInterval(Duration.ofMillis(50))
                .until(() -> !exists(follower, "/lonely"));
        long gone = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - opened);
        assertTrue(gone >= TTL - 300, "expired after " + gone + " ms, TTL " + TTL);
    }

    @Test
    void keepAliveForAnUnknownSessionSaysExpired() throws Exception {
        try (KeepAliver k = new KeepAliver(cluster.sessionAsync(follower), 987654, 1000)) {
            KeepAliveResponse a = k.answers.poll(10, TimeUnit.SECONDS);
            assertNotNull(a);
            assertTrue(a.getExpired());
            assertEquals(987654, a.getSessionId());
        }
    }

    @Test
    void openRefusesATtlOutOfRange() {
        expect(Code.INVALID_ARGUMENT, "INVALID_DATA", () -> cluster.session(follower).open(OpenSessionRequest
                .newBuilder().setTtlMillis(10).build()));
    }

    @Test
    void aSessionKeptAliveSurvivesALeaderChangeAndExpiresWithinTtlPlusElectionAfterwards() throws Exception {
        long ttl = 3_000;
        long survivor = follower;
        long s = open(survivor, ttl);
        ephemeral(survivor, "/lead-change", s);
        long stopped;
        try (KeepAliver k = new KeepAliver(cluster.sessionAsync(survivor), s, ttl / 4)) {
            Thread.sleep(ttl / 2);
            cluster.stop(leader);
            long newLeader = cluster.awaitLeader();
            assertTrue(newLeader != leader);
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2 * ttl);
            while (System.nanoTime() < until) {
                assertTrue(exists(survivor, "/lead-change"), "a live session survives the leader change");
                Thread.sleep(200);
            }
            k.close();
            stopped = k.lastSentNanos;
        }
        await().atMost(Duration.ofMillis(ttl + 2 * InJvmCluster.ELECTION_MS + 5_000)).pollInterval(Duration.ofMillis(50))
                .until(() -> !exists(survivor, "/lead-change"));
        long gone = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped);
        assertTrue(gone >= ttl - 300, "expired " + gone + " ms after the last keep-alive, TTL " + ttl);
    }
}
