package io.kvorum.server.state;

import static io.kvorum.server.state.StateHarness.closeSession;
import static io.kvorum.server.state.StateHarness.create;
import static io.kvorum.server.state.StateHarness.delete;
import static io.kvorum.server.state.StateHarness.ephemeral;
import static io.kvorum.server.state.StateHarness.multi;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.proto.internal.v1.CommandResult;
import io.kvorum.proto.internal.v1.RevisionEvents;
import io.kvorum.proto.v1.CreateMode;
import io.kvorum.proto.v1.CreateRequest;
import io.kvorum.proto.v1.DeleteRequest;
import io.kvorum.proto.v1.Event;
import io.kvorum.proto.v1.Op;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

/** Containers disappear, at apply, when their last child is deleted; up through container ancestors. */
class ContainerTest {
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

    private void container(String path) {
        h.ok(create(path, "", CreateMode.CONTAINER));
    }

    @Test
    void aContainerIsDeletedWithItsLastChild() {
        container("/c");
        h.ok(create("/c/a"));
        h.ok(create("/c/b"));
        h.ok(delete("/c/a", -1));
        assertTrue(h.exists("/c"));
        CommandResult r = h.ok(delete("/c/b", -1));
        assertFalse(h.exists("/c"));
        assertEquals(h.state.revision(), r.getDelete().getHeader().getRevision());
        RevisionEvents last = h.state.history(h.state.revision(), 1).get(0);
        assertEquals(List.of(Event.Type.DELETED, Event.Type.CHILDREN_CHANGED, Event.Type.DELETED,
                Event.Type.CHILDREN_CHANGED), last.getEventsList().stream().map(Event::getType).toList());
        assertEquals(List.of("/c/b", "/c", "/c", "/"), last.getEventsList().stream().map(Event::getPath).toList());
    }

    @Test
    void theDeletionCascadesUpThroughContainerAncestorsAndStopsAtOthers() {
        h.ok(create("/p"));
        container("/p/c1");
        container("/p/c1/c2");
        h.ok(create("/p/c1/c2/leaf"));
        long before = h.state.revision();
        h.ok(delete("/p/c1/c2/leaf", -1));
        assertFalse(h.exists("/p/c1/c2"));
        assertFalse(h.exists("/p/c1"));
        assertTrue(h.exists("/p"));
        assertEquals(0, h.stat("/p").getNumChildren());
        assertEquals(before + 1, h.state.revision(), "the cascade is part of the delete's revision");
    }

    @Test
    void aContainerThatNeverHadAChildStays() {
        container("/c");
        h.ok(create("/other"));
        h.ok(delete("/other", -1));
        assertTrue(h.exists("/c"));
    }

    @Test
    void aContainerWithAnotherChildLeftStays() {
        container("/c");
        container("/c/inner");
        h.ok(create("/c/inner/x"));
        h.ok(create("/c/y"));
        h.ok(delete("/c/inner/x", -1));
        assertFalse(h.exists("/c/inner"));
        assertTrue(h.exists("/c"));
    }

    @Test
    void aMultiMayEmptyAContainerAndRefillIt() {
        container("/c");
        h.ok(create("/c/a"));
        h.ok(multi(
                Op.newBuilder().setDelete(DeleteRequest.newBuilder().setPath("/c/a").setExpectedVersion(-1)).build(),
                Op.newBuilder().setCreate(CreateRequest.newBuilder().setPath("/c/b")).build()));
        assertTrue(h.exists("/c"));
        assertTrue(h.exists("/c/b"));
    }

    @Test
    void aSessionEndingEmptiesAContainerOfEphemerals() {
        container("/locks");
        long s = h.openSessionId(10_000);
        h.ok(ephemeral("/locks/l1", s));
        h.ok(closeSession(s));
        assertFalse(h.exists("/locks"));
    }
}
