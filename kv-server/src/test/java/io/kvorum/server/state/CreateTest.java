package io.kvorum.server.state;

import static io.kvorum.server.state.StateHarness.create;
import static io.kvorum.server.state.StateHarness.ephemeral;
import static io.kvorum.server.state.StateHarness.ttlNode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.kvorum.proto.internal.v1.Command;
import io.kvorum.proto.internal.v1.CommandResult;
import io.kvorum.proto.v1.CreateMode;
import io.kvorum.proto.v1.CreateRequest;
import io.kvorum.proto.v1.ErrorReason;
import io.kvorum.proto.v1.Stat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** Create: what a new node looks like, and every reason a create is refused. */
class CreateTest {
    @TempDir
    Path dir;
    StateHarness h;

    @BeforeEach
    void open() {
        h = new StateHarness(dir);
    }

    @AfterEach
    void close() {
        h.close();
    }

    @Test
    void aCreatedNodeHasItsDataAndAFreshStatAtTheCommandsRevisionAndTime() {
        h.now = 42_000;
        CommandResult r = h.ok(create("/a", "hello", CreateMode.PERSISTENT));
        Stat s = r.getCreate().getStat();
        assertEquals("/a", r.getCreate().getPath());
        assertEquals(1, r.getCreate().getHeader().getRevision());
        assertEquals(Stat.newBuilder().setCreateRevision(1).setModRevision(1).setVersion(0).setChildrenVersion(0)
                .setEphemeralOwner(0).setDataLength(5).setNumChildren(0).setCtimeMillis(42_000)
                .setMtimeMillis(42_000).setMode(CreateMode.PERSISTENT).setTtlMillis(0).build(), s);
        assertEquals(s, h.stat("/a"));
        assertEquals("hello", h.data("/a"));
    }

    @Test
    void createCountsTheChildInTheParentsStat() {
        h.ok(create("/p"));
        h.ok(create("/p/a"));
        h.ok(create("/p/b"));
        Stat p = h.stat("/p");
        assertEquals(2, p.getNumChildren());
        assertEquals(2, p.getChildrenVersion());
        assertEquals(0, p.getVersion(), "a child does not change the parent's data version");
        assertEquals(1, p.getModRevision(), "nor its mod revision");
    }

    @Test
    void createUnderAMissingParentFailsWithNoNodeNamingTheParent() {
        CommandResult r = h.fails(ErrorReason.NO_NODE, create("/missing/child"));
        assertEquals("/missing", r.getError().getPath());
        assertEquals(-1, r.getError().getOpIndex());
        assertFalse(h.exists("/missing/child"));
    }

    @Test
    void createOfAnExistingNodeFailsWithNodeExists() {
        h.ok(create("/a", "first", CreateMode.PERSISTENT));
        CommandResult r = h.fails(ErrorReason.NODE_EXISTS, create("/a", "second", CreateMode.PERSISTENT));
        assertEquals("/a", r.getError().getPath());
        assertEquals("first", h.data("/a"));
    }

    @Test
    void createUnderAnEphemeralFailsWithNoChildrenForEphemerals() {
        long s = h.openSessionId(10_000);
        h.ok(ephemeral("/e", s));
        CommandResult r = h.fails(ErrorReason.NO_CHILDREN_FOR_EPHEMERALS, create("/e/child"));
        assertEquals("/e", r.getError().getPath());
    }

    @Test
    void createOfTheRootIsRefusedAsAnInvalidPath() {
        h.fails(ErrorReason.INVALID_PATH, create("/"));
    }

    @Test
    void anEphemeralNeedsALiveSession() {
        h.fails(ErrorReason.SESSION_EXPIRED, ephemeral("/e", 12345));
        h.fails(ErrorReason.SESSION_EXPIRED, ephemeral("/e", 0));
        assertFalse(h.exists("/e"));
    }

    @Test
    void anEphemeralRecordsItsOwningSession() {
        long s = h.openSessionId(10_000);
        h.ok(ephemeral("/e", s));
        assertEquals(s, h.stat("/e").getEphemeralOwner());
        assertEquals(CreateMode.EPHEMERAL, h.stat("/e").getMode());
    }

    @Test
    void aTtlModeNeedsAPositiveTtl() {
        h.fails(ErrorReason.INVALID_DATA, ttlNode("/t", 0));
        h.fails(ErrorReason.INVALID_DATA, ttlNode("/t", -5));
        assertFalse(h.exists("/t"));
    }

    @Test
    void aTtlNodeRecordsItsTtl() {
        h.ok(ttlNode("/t", 5_000));
        assertEquals(5_000, h.stat("/t").getTtlMillis());
        assertEquals(CreateMode.PERSISTENT_WITH_TTL, h.stat("/t").getMode());
    }

    @Test
    void aTtlOnANonTtlModeIsInvalidData() {
        h.fails(ErrorReason.INVALID_DATA, Command.newBuilder().setCreate(CreateRequest.newBuilder()
                .setPath("/a").setMode(CreateMode.PERSISTENT).setTtlMillis(1000)));
    }

    @Test
    void anUnknownCreateModeIsInvalidData() {
        h.fails(ErrorReason.INVALID_DATA, Command.newBuilder().setCreate(CreateRequest.newBuilder()
                .setPath("/a").setModeValue(99)));
    }

    @Test
    void dataOverTheValueLimitIsTooLarge() {
        StateLimits d = StateLimits.defaults();
        h.close();
        h = new StateHarness(dir, new StateLimits(d.maxPathBytes(), 10, d.maxRequestBytes(), d.maxMultiOps(),
                d.historyRevisions(), d.dedupeClients(), d.dedupePerClient(), d.minSessionTtlMillis(),
                d.maxSessionTtlMillis()));
        h.ok(create("/ok", "0123456789", CreateMode.PERSISTENT));
        h.fails(ErrorReason.TOO_LARGE, create("/big", "0123456789A", CreateMode.PERSISTENT));
        assertFalse(h.exists("/big"));
    }

    @Test
    void aPathOverThePathLimitIsTooLarge() {
        h.fails(ErrorReason.TOO_LARGE, create("/" + "x".repeat(5000)));
    }

    @Test
    void aFailedCreateChangesNothing() {
        h.ok(create("/p"));
        var before = h.dump();
        h.fails(ErrorReason.NODE_EXISTS, create("/p"));
        h.fails(ErrorReason.NO_NODE, create("/q/x"));
        assertEquals(before, h.dump());
    }

    @Test
    void largeDataIsKeptApartAndReadBackWhole() {
        String big = "b".repeat(Znode.INLINE_MAX * 3);
        h.ok(create("/big", big, CreateMode.PERSISTENT));
        h.ok(create("/big/child"));
        assertEquals(big, h.data("/big"), "updating the parent's stat keeps its data");
        assertEquals(big.length(), h.stat("/big").getDataLength());
        h.ok(StateHarness.set("/big", "small", -1));
        assertEquals("small", h.data("/big"));
        h.ok(StateHarness.set("/big", big + "!", -1));
        assertEquals(big + "!", h.data("/big"));
    }
}
