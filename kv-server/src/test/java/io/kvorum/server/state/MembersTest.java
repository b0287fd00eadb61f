package io.kvorum.server.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.proto.internal.v1.Command;
import io.kvorum.proto.internal.v1.Locality;
import io.kvorum.proto.internal.v1.MarkObserver;
import io.kvorum.proto.internal.v1.MemberClientAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The member table: announced addresses and localities, observer marks, across reopen and restore. */
class MembersTest {
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

    private static Command.Builder announce(long id, String address, String dc, String zone) {
        return Command.newBuilder().setMemberClientAddress(MemberClientAddress.newBuilder().setMemberId(id)
                .setClientAddress(address).setLocality(Locality.newBuilder().setDatacenter(dc).setZone(zone)));
    }

    private static Command.Builder mark(long id, boolean observer) {
        return Command.newBuilder().setMarkObserver(MarkObserver.newBuilder().setMemberId(id).setObserver(observer));
    }

    @Test
    void localitiesAndObserverMarksSurviveAReopen() {
        h.ok(announce(1, "127.0.0.1:7379", "dc1", "a"));
        h.ok(announce(2, "127.0.0.1:7389", "dc2", ""));
        h.ok(mark(3, true));
        h.reopen();
        assertEquals("dc1", h.state.memberLocalities().get(1L).getDatacenter());
        assertEquals("a", h.state.memberLocalities().get(1L).getZone());
        assertEquals("dc2", h.state.memberLocalities().get(2L).getDatacenter());
        assertEquals("127.0.0.1:7389", h.state.memberClientAddresses().get(2L));
        assertTrue(h.state.observers().contains(3L));
        assertEquals(0, h.state.revision(), "member facts are not changes to the tree");
    }

    @Test
    void aNewAnnouncementReplacesTheLocalityAndAnEmptyAddressForgetsBoth() {
        h.ok(announce(1, "127.0.0.1:7379", "dc1", "a"));
        h.ok(announce(1, "127.0.0.1:7379", "dc2", ""));
        assertEquals(Locality.newBuilder().setDatacenter("dc2").build(), h.state.memberLocalities().get(1L));
        h.ok(announce(1, "127.0.0.1:7379", "", ""));
        assertFalse(h.state.memberLocalities().containsKey(1L), "no labels: none kept");
        h.ok(announce(1, "127.0.0.1:7379", "dc1", ""));
        h.ok(announce(1, "", "", ""));
        h.reopen();
        assertFalse(h.state.memberClientAddresses().containsKey(1L));
        assertFalse(h.state.memberLocalities().containsKey(1L));
    }

    @Test
    void anObserverMarkIsClearedByMarkingFalse() {
        h.ok(mark(4, true));
        h.ok(mark(4, false));
        h.reopen();
        assertFalse(h.state.observers().contains(4L));
    }

    @Test
    void aRestoreDropsMemberFactsButKeepsData() {
        byte[] none = new byte[0];
        assertFalse(SnapshotContent.keptOnRestore(Keys.memberLocality(1), none));
        assertFalse(SnapshotContent.keptOnRestore(Keys.observer(1), none));
        assertFalse(SnapshotContent.keptOnRestore(Keys.legacyObserver(1), none));
        assertFalse(SnapshotContent.keptOnRestore(Keys.member(1), none));
        assertTrue(SnapshotContent.keptOnRestore(Keys.node("/a"), none));
        assertTrue(SnapshotContent.keptOnRestore(Keys.sessionOwner(7), "alice".getBytes(StandardCharsets.UTF_8)),
                "a session's owner travels with its session");
    }

    @Test
    void anObserverMarkAndTheOwnerOfASessionWithTheSameIdStayApart() {
        long session = h.ok(StateHarness.openSession(10_000).setCaller("alice")).getOpenSession().getSessionId();
        h.ok(mark(session, true));
        h.reopen();
        assertEquals("alice", h.state.sessionOwner(session));
        assertEquals(java.util.Set.of(session), h.state.observers());
        h.ok(mark(session, false));
        h.reopen();
        assertEquals("alice", h.state.sessionOwner(session));
        assertEquals(java.util.Set.of(), h.state.observers());
    }

    @Test
    void observerMarksOfEarlierVersionsAreReadAndClearedWithoutTouchingSessionOwners() {
        h.replaceUnderState(w -> {
            w.put(Keys.legacyObserver(5), new byte[0]);
            w.put(Keys.sessionOwner(9), "bob".getBytes(StandardCharsets.UTF_8));
        });
        assertEquals(java.util.Set.of(5L), h.state.observers());
        assertEquals("bob", h.state.sessionOwner(9));
        assertEquals(null, h.state.sessionOwner(5));
        h.ok(mark(5, false));
        h.reopen();
        assertEquals(java.util.Set.of(), h.state.observers());
        assertEquals("bob", h.state.sessionOwner(9));
    }
}
