package io.kvorum.server.state;

import static io.kvorum.server.state.StateHarness.create;
import static io.kvorum.server.state.StateHarness.delete;
import static io.kvorum.server.state.StateHarness.expireTtl;
import static io.kvorum.server.state.StateHarness.set;
import static io.kvorum.server.state.StateHarness.ttlNode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.proto.internal.v1.Command;
import io.kvorum.proto.internal.v1.TtlExpiry;
import io.kvorum.proto.v1.CreateMode;
import io.kvorum.proto.v1.CreateRequest;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

/** TTL nodes: due when unmodified for their TTL and childless; deleted only if still so. */
class TtlTest {
    @TempDir
    Path dir;
    StateHarness h;

    @BeforeEach
    void open() {
        h = new StateHarness(dir);
        h.now = 10_000;
    }

    @AfterEach
    void close() {
        h.close();
    }

    private static TtlExpiry due(String path, long modRevision) {
        return TtlExpiry.newBuilder().setPath(path).setModRevision(modRevision).build();
    }

    @Test
    void aTtlNodeIsDueWhenMtimePlusTtlIsReached() {
        h.ok(ttlNode("/t", 500));
        assertEquals(List.of(), h.state.expiredTtlNodes(10_499, 10));
        assertEquals(List.of(due("/t", 1)), h.state.expiredTtlNodes(10_500, 10));
    }

    @Test
    void dueNodesComeSoonestFirstUpToTheLimit() {
        h.ok(ttlNode("/late", 900));
        h.ok(ttlNode("/early", 100));
        h.ok(ttlNode("/mid", 500));
        h.ok(create("/plain"));
        assertEquals(List.of(due("/early", 2), due("/mid", 3)), h.state.expiredTtlNodes(20_000, 2));
    }

    @Test
    void aSetPostponesExpiry() {
        h.ok(ttlNode("/t", 500));
        h.now = 10_400;
        h.ok(set("/t", "x", -1));
        assertEquals(List.of(), h.state.expiredTtlNodes(10_500, 10));
        assertEquals(List.of(due("/t", 2)), h.state.expiredTtlNodes(10_900, 10));
    }

    @Test
    void aTtlNodeWithChildrenIsNotDueUntilItsLastChildIsGone() {
        h.ok(ttlNode("/t", 500));
        h.ok(create("/t/c"));
        assertEquals(List.of(), h.state.expiredTtlNodes(99_000, 10));
        h.ok(delete("/t/c", -1));
        assertEquals(List.of(due("/t", 1)), h.state.expiredTtlNodes(99_000, 10));
    }

    @Test
    void expiryDeletesANodeStillUnmodifiedAndChildless() {
        h.ok(ttlNode("/t", 500));
        long before = h.state.revision();
        var r = h.ok(expireTtl("/t", 1));
        assertFalse(h.exists("/t"));
        assertEquals(before + 1, r.getDone().getRevision());
        assertEquals(List.of(), h.state.expiredTtlNodes(Long.MAX_VALUE, 10), "the index entry went with it");
    }

    @Test
    void expiryOfANodeModifiedSinceIsIgnored() {
        h.ok(ttlNode("/t", 500));
        h.ok(set("/t", "x", -1));
        h.ok(expireTtl("/t", 1));
        assertTrue(h.exists("/t"));
        assertEquals(2, h.state.revision(), "nothing deleted, no revision");
    }

    @Test
    void expiryOfANodeWithChildrenIsIgnored() {
        h.ok(ttlNode("/t", 500));
        h.ok(create("/t/c"));
        h.ok(expireTtl("/t", 1));
        assertTrue(h.exists("/t"));
    }

    @Test
    void expiryNeverDeletesANonTtlNodeOrAMissingOne() {
        h.ok(create("/p"));
        h.ok(expireTtl("/p", 1));
        h.ok(expireTtl("/gone", 1));
        h.ok(expireTtl("bad path", 1));
        assertTrue(h.exists("/p"));
    }

    @Test
    void sequentialTtlNodesAreIndexedToo() {
        String p = h.ok(Command.newBuilder().setCreate(CreateRequest.newBuilder().setPath("/s-")
                .setMode(CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL).setTtlMillis(100))).getCreate().getPath();
        assertEquals(List.of(due(p, 1)), h.state.expiredTtlNodes(10_100, 10));
    }

    @Test
    void theExpiryIndexSurvivesARestart() {
        h.ok(ttlNode("/t", 500));
        h.reopen();
        assertEquals(List.of(due("/t", 1)), h.state.expiredTtlNodes(10_500, 10));
    }
}
