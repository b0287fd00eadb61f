package io.kvorum.server.state;

import static io.kvorum.server.state.StateHarness.create;
import static io.kvorum.server.state.StateHarness.delete;
import static io.kvorum.server.state.StateHarness.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.proto.internal.v1.CommandResult;
import io.kvorum.proto.v1.CreateMode;
import io.kvorum.proto.v1.ErrorReason;
import io.kvorum.proto.v1.Stat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** Set and delete, conditional on a version. */
class SetDeleteTest {
    @TempDir
    Path dir;
    StateHarness h;

    @BeforeEach
    void open() {
        h = new StateHarness(dir);
        h.now = 1000;
        h.ok(create("/a", "v0", CreateMode.PERSISTENT));
    }

    @AfterEach
    void close() {
        h.close();
    }

    @Test
    void setReplacesTheDataAndBumpsVersionModRevisionAndMtime() {
        h.now = 2000;
        CommandResult r = h.ok(set("/a", "v1", -1));
        Stat s = r.getSet().getStat();
        assertEquals(1, s.getVersion());
        assertEquals(2, s.getModRevision());
        assertEquals(1, s.getCreateRevision());
        assertEquals(1000, s.getCtimeMillis());
        assertEquals(2000, s.getMtimeMillis());
        assertEquals(2, s.getDataLength());
        assertEquals(2, r.getSet().getHeader().getRevision());
        assertEquals("v1", h.data("/a"));
        assertEquals(s, h.stat("/a"));
    }

    @Test
    void aSetAfterTheStoreWasReplacedSeesTheReplacedNode() {
        byte[] atVersionZero = h.store.get(Keys.node("/a"));
        h.ok(set("/a", "v1", 0)); // apply now remembers /a at version 1
        // A snapshot taken before that set is installed under the state.
        h.replaceUnderState(b -> b.put(Keys.node("/a"), atVersionZero));
        assertEquals("v0", h.data("/a"));
        CommandResult r = h.ok(set("/a", "v2", 0));
        assertEquals(1, r.getSet().getStat().getVersion(), "the set went from the installed version 0");
    }

    @Test
    void setWithTheExpectedVersionSucceeds() {
        h.ok(set("/a", "v1", 0));
        h.ok(set("/a", "v2", 1));
        assertEquals("v2", h.data("/a"));
    }

    @Test
    void setWithAnotherVersionFailsWithBadVersion() {
        CommandResult r = h.fails(ErrorReason.BAD_VERSION, set("/a", "v1", 3));
        assertEquals("/a", r.getError().getPath());
        assertEquals("v0", h.data("/a"));
        assertEquals(0, h.stat("/a").getVersion());
    }

    @Test
    void setOfAMissingNodeFailsWithNoNode() {
        h.fails(ErrorReason.NO_NODE, set("/b", "x", -1));
    }

    @Test
    void deleteRemovesTheNodeAndUpdatesTheParent() {
        h.ok(create("/a/b"));
        Stat before = h.stat("/a");
        h.ok(delete("/a/b", -1));
        assertFalse(h.exists("/a/b"));
        Stat after = h.stat("/a");
        assertEquals(0, after.getNumChildren());
        assertEquals(before.getChildrenVersion() + 1, after.getChildrenVersion());
    }

    @Test
    void deleteWithAnotherVersionFailsWithBadVersion() {
        h.fails(ErrorReason.BAD_VERSION, delete("/a", 7));
        assertTrue(h.exists("/a"));
        h.ok(delete("/a", 0));
    }

    @Test
    void deleteOfANodeWithChildrenFailsWithNotEmpty() {
        h.ok(create("/a/b"));
        h.fails(ErrorReason.NOT_EMPTY, delete("/a", -1));
        assertTrue(h.exists("/a"));
    }

    @Test
    void deleteOfAMissingNodeFailsWithNoNode() {
        h.fails(ErrorReason.NO_NODE, delete("/nope", -1));
    }

    @Test
    void aRecreatedNodeStartsAfresh() {
        h.ok(set("/a", "v1", -1));
        h.ok(delete("/a", -1));
        CommandResult r = h.ok(create("/a", "new", CreateMode.PERSISTENT));
        assertEquals(0, r.getCreate().getStat().getVersion());
        assertEquals(4, r.getCreate().getStat().getCreateRevision());
    }
}
