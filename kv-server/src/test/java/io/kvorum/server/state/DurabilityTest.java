package io.kvorum.server.state;

import static io.kvorum.server.state.StateHarness.closeSession;
import static io.kvorum.server.state.StateHarness.create;
import static io.kvorum.server.state.StateHarness.delete;
import static io.kvorum.server.state.StateHarness.ephemeral;
import static io.kvorum.server.state.StateHarness.multi;
import static io.kvorum.server.state.StateHarness.openSession;
import static io.kvorum.server.state.StateHarness.set;
import static io.kvorum.server.state.StateHarness.ttlNode;
import static io.kvorum.server.state.StateHarness.withClient;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.proto.internal.v1.Command;
import io.kvorum.proto.internal.v1.CommandResult;
import io.kvorum.proto.v1.CreateMode;
import io.kvorum.proto.v1.CreateRequest;
import io.kvorum.proto.v1.ErrorReason;
import io.kvorum.proto.v1.Op;
import io.kvorum.server.raft.SnapshotMeta;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** What survives and what stays equal: restarts, snapshots, bad input, and replicas fed the same log. */
class DurabilityTest {
    @TempDir
    Path dir;

    @Test
    void aRestartedStateSeesTheSameRevisionAndData() {
        try (StateHarness h = new StateHarness(dir.resolve("n"))) {
            h.ok(create("/a", "one", CreateMode.PERSISTENT));
            h.ok(create("/a/b", "x".repeat(5000), CreateMode.PERSISTENT));
            h.ok(set("/a", "two", -1));
            var before = h.dump();
            h.reopen();
            assertEquals(3, h.state.revision());
            assertEquals("two", h.data("/a"));
            assertEquals("x".repeat(5000), h.data("/a/b"));
            assertEquals(before, h.dump());
            assertEquals(4, h.ok(create("/c")).getCreate().getHeader().getRevision());
        }
    }

    @Test
    void malformedCommandBytesAnswerAnErrorAndTheLogKeepsApplying() {
        try (StateHarness h = new StateHarness(dir.resolve("n"))) {
            var before = h.dump();
            CommandResult r = h.runRaw(new byte[] {(byte) 0xFF, (byte) 0xFF, 0x00, 0x13});
            assertEquals(ErrorReason.INVALID_DATA, r.getError().getReason());
            assertEquals(before, h.dump());
            assertEquals(ErrorReason.INVALID_DATA, h.runRaw(new byte[0]).getError().getReason(),
                    "an empty command carries no operation");
            h.ok(create("/still-working"));
        }
    }

    @Test
    void aCommandOverTheRequestLimitIsTooLarge() {
        StateLimits d = StateLimits.defaults();
        StateLimits small = new StateLimits(d.maxPathBytes(), 1 << 20, 1000, d.maxMultiOps(), d.historyRevisions(),
                d.dedupeClients(), d.dedupePerClient(), d.minSessionTtlMillis(), d.maxSessionTtlMillis());
        try (StateHarness h = new StateHarness(dir.resolve("n"), small)) {
            h.fails(ErrorReason.TOO_LARGE, create("/a", "x".repeat(6000), CreateMode.PERSISTENT));
            assertFalse(h.exists("/a"));
        }
    }

    @Test
    void writesEarlierInABatchAreSeenByLaterCommandsOfTheSameBatch() {
        try (StateHarness h = new StateHarness(dir.resolve("n"))) {
            List<CommandResult> rs = h.batch(create("/a"), create("/a/b"), set("/a/b", "v", 0), create("/a/b/c"),
                    delete("/a/b/c", 0), StateHarness.create("/a/b", "", CreateMode.PERSISTENT));
            for (int i = 0; i < 5; i++) {
                assertFalse(rs.get(i).hasError(), rs.get(i)::toString);
            }
            assertEquals(ErrorReason.NODE_EXISTS, rs.get(5).getError().getReason());
            assertEquals("v", h.data("/a/b"));
            assertEquals(0, h.stat("/a/b").getNumChildren());
            assertEquals(5, h.state.revision());
        }
    }

    @Test
    void twoReplicasFedTheSameCommandsEndByteIdentical() {
        List<List<Command.Builder>> log = randomLog(new Random(7), 400);
        try (StateHarness a = new StateHarness(dir.resolve("a"));
             StateHarness b = new StateHarness(dir.resolve("b"))) {
            List<CommandResult> ra = new ArrayList<>();
            List<CommandResult> rb = new ArrayList<>();
            for (List<Command.Builder> batch : log) {
                ra.addAll(a.batch(batch.stream().map(Command.Builder::clone).toArray(Command.Builder[]::new)));
            }
            // The other replica applies the same log in different batch sizes.
            List<Command.Builder> flat = log.stream().flatMap(List::stream).toList();
            for (int i = 0; i < flat.size(); i += 3) {
                rb.addAll(b.batch(flat.subList(i, Math.min(flat.size(), i + 3)).stream().map(Command.Builder::clone)
                        .toArray(Command.Builder[]::new)));
            }
            assertEquals(ra, rb);
            assertEquals(a.dump(), b.dump());
            assertEquals(a.state.revision(), b.state.revision());
            assertTrue(a.state.revision() > 50, "the random log does change the tree");
        }
    }

    /** Random creates, sets, deletes, sessions, ephemerals, multis, TTL expiries and retries, in batches. */
    private static List<List<Command.Builder>> randomLog(Random rnd, int commands) {
        List<List<Command.Builder>> batches = new ArrayList<>();
        List<Command.Builder> cur = new ArrayList<>();
        String[] paths = {"/a", "/a/b", "/a/c", "/d", "/d/e", "/a/b/f", "/q"};
        for (int i = 0; i < commands; i++) {
            String p = paths[rnd.nextInt(paths.length)];
            long time = 1000 + i * 10L;
            Command.Builder c = switch (rnd.nextInt(10)) {
                case 0, 1 -> create(p, "d" + i, CreateMode.forNumber(rnd.nextInt(5)));
                case 2 -> set(p, "s" + i, rnd.nextBoolean() ? -1 : rnd.nextInt(3));
                case 3 -> delete(p, -1);
                case 4 -> openSession(5_000);
                case 5 -> ephemeral(p, 1 + rnd.nextInt(i + 1));
                case 6 -> closeSession(1 + rnd.nextInt(i + 1));
                case 7 -> ttlNode(p, 100);
                case 8 -> StateHarness.expireTtl(p, rnd.nextInt(i + 1));
                default -> multi(Op.newBuilder().setCreate(CreateRequest.newBuilder().setPath("/q/s-")
                        .setMode(CreateMode.PERSISTENT_SEQUENTIAL)).build(),
                        Op.newBuilder().setCreate(CreateRequest.newBuilder().setPath(p)).build());
            };
            c.setTimeMillis(time);
            if (rnd.nextInt(4) == 0) {
                withClient(c, "client-" + rnd.nextInt(3), rnd.nextInt(20), rnd.nextInt(5));
            }
            cur.add(c);
            if (rnd.nextInt(5) == 0) {
                batches.add(cur);
                cur = new ArrayList<>();
            }
        }
        batches.add(cur);
        return batches;
    }

    @Test
    void aStateRestoredFromASnapshotReloadsEverythingCached() {
        try (StateHarness leader = new StateHarness(dir.resolve("leader"));
             StateHarness follower = new StateHarness(dir.resolve("follower"))) {
            long s = leader.openSessionId(10_000);
            leader.ok(ephemeral("/e", s));
            leader.ok(create("/q"));
            leader.ok(create("/q/", "", CreateMode.PERSISTENT_SEQUENTIAL));
            CommandResult dedupe = leader.ok(withClient(set("/q", "x", -1), "c1", 1, 1));
            leader.ok(ttlNode("/t", 100));
            SnapshotMeta meta = leader.store.createSnapshot(dir.resolve("snap"));

            follower.store.installSnapshot(meta, dir.resolve("snap"));
            follower.state.restored(meta.index());

            assertEquals(leader.state.revision(), follower.state.revision());
            assertEquals(leader.state.sessions(), follower.state.sessions());
            assertEquals(leader.dump(), follower.dump());
            assertEquals(leader.state.compactedRevision(), follower.state.compactedRevision());
            assertEquals(leader.state.expiredTtlNodes(Long.MAX_VALUE, 10), follower.state.expiredTtlNodes(Long.MAX_VALUE, 10));
        }
    }

    @Test
    void keysNeverStartWithTheNodesReservedZeroByte() {
        try (StateHarness h = new StateHarness(dir.resolve("n"))) {
            long s = h.openSessionId(10_000);
            h.ok(withClient(ephemeral("/e", s), "c", 1, 0));
            h.ok(ttlNode("/t", 5));
            h.ok(set("/", "root", -1));
            h.store.forEachInRange(null, null, Integer.MAX_VALUE, (k, v) -> assertTrue(k[0] != 0));
            assertArrayEquals(new byte[] {'n', 0}, Keys.node("/"));
        }
    }
}
