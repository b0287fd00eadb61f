package io.kvorum.server.state;

import static io.kvorum.server.state.StateHarness.closeSession;
import static io.kvorum.server.state.StateHarness.create;
import static io.kvorum.server.state.StateHarness.ephemeral;
import static io.kvorum.server.state.StateHarness.expireSessions;
import static io.kvorum.server.state.StateHarness.openSession;
import static io.kvorum.server.state.StateHarness.touch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.proto.internal.v1.CommandResult;
import io.kvorum.proto.internal.v1.RevisionEvents;
import io.kvorum.proto.v1.ErrorReason;
import io.kvorum.proto.v1.Event;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Sessions: ids, TTL limits, and the ephemerals that end with them. */
class SessionTest {
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
    void aSessionsIdIsTheLogIndexOfItsOpenCommand() {
        long index = h.nextIndex();
        CommandResult r = h.ok(openSession(5_000));
        assertEquals(index, r.getOpenSession().getSessionId());
        assertEquals(5_000, r.getOpenSession().getTtlMillis());
        assertEquals(Map.of(index, 5_000L), h.state.sessions());
    }

    @Test
    void aTtlOutsideTheLimitsIsInvalidData() {
        StateLimits l = StateLimits.defaults();
        h.fails(ErrorReason.INVALID_DATA, openSession(l.minSessionTtlMillis() - 1));
        h.fails(ErrorReason.INVALID_DATA, openSession(l.maxSessionTtlMillis() + 1));
        h.fails(ErrorReason.INVALID_DATA, openSession(0));
        h.ok(openSession(l.minSessionTtlMillis()));
        h.ok(openSession(l.maxSessionTtlMillis()));
        assertEquals(2, h.state.sessions().size());
    }

    @Test
    void closeDeletesTheSessionAndAllItsEphemeralsInOneRevision() {
        h.ok(create("/svc"));
        long s = h.openSessionId(10_000);
        long other = h.openSessionId(10_000);
        h.ok(ephemeral("/svc/a", s));
        h.ok(ephemeral("/svc/b", s));
        h.ok(ephemeral("/e", s));
        h.ok(ephemeral("/svc/keep", other));
        long before = h.state.revision();
        List<RevisionEvents> seen = new ArrayList<>();
        h.state.addListener(seen::add);

        CommandResult r = h.ok(closeSession(s));

        assertEquals(before + 1, r.getCloseSession().getHeader().getRevision());
        assertEquals(before + 1, h.state.revision());
        assertFalse(h.exists("/svc/a"));
        assertFalse(h.exists("/svc/b"));
        assertFalse(h.exists("/e"));
        assertTrue(h.exists("/svc/keep"));
        assertEquals(Map.of(other, 10_000L), h.state.sessions());
        assertEquals(1, seen.size());
        List<String> deleted = seen.get(0).getEventsList().stream()
                .filter(e -> e.getType() == Event.Type.DELETED).map(Event::getPath).toList();
        assertEquals(List.of("/e", "/svc/a", "/svc/b"), deleted);
        assertTrue(seen.get(0).getEventsList().stream().allMatch(e -> e.getRevision() == before + 1));
        assertEquals(1, h.stat("/svc").getNumChildren());
    }

    @Test
    void expiryDeletesEachListedSessionsEphemeralsInOneRevision() {
        long a = h.openSessionId(10_000);
        long b = h.openSessionId(10_000);
        h.ok(ephemeral("/a", a));
        h.ok(ephemeral("/b", b));
        long before = h.state.revision();
        CommandResult r = h.ok(expireSessions(a, b, 999L, a));
        assertEquals(before + 1, r.getDone().getRevision());
        assertFalse(h.exists("/a"));
        assertFalse(h.exists("/b"));
        assertTrue(h.state.sessions().isEmpty());
    }

    @Test
    void aSessionWithoutEphemeralsEndsWithoutARevision() {
        long s = h.openSessionId(10_000);
        h.ok(closeSession(s));
        assertEquals(0, h.state.revision());
        assertTrue(h.state.sessions().isEmpty());
    }

    @Test
    void closingAnUnknownSessionFailsWithSessionExpired() {
        h.fails(ErrorReason.SESSION_EXPIRED, closeSession(4242));
        long s = h.openSessionId(10_000);
        h.ok(closeSession(s));
        h.fails(ErrorReason.SESSION_EXPIRED, closeSession(s));
    }

    @Test
    void anEndedSessionCannotCreateEphemerals() {
        long s = h.openSessionId(10_000);
        h.ok(expireSessions(s));
        h.fails(ErrorReason.SESSION_EXPIRED, ephemeral("/late", s));
    }

    @Test
    void touchesReachTheCallbackForLiveSessionsOnlyAndChangeNoRevision() {
        long a = h.openSessionId(10_000);
        long b = h.openSessionId(10_000);
        h.ok(closeSession(b));
        List<Long> touched = new ArrayList<>();
        h.state.onTouch(touched::add);
        long revision = h.state.revision();
        h.ok(touch(a, b, 777L));
        assertEquals(List.of(a), touched);
        assertEquals(revision, h.state.revision());
    }

    @Test
    void anExpiryDecidedBeforeATouchLeavesTheRenewedSessionAlive() {
        // The leader decided at index D; a keep-alive committed after D (and maybe already
        // answered) renewed the session, so the expiry must not end it.
        long renewed = h.openSessionId(10_000);
        long silent = h.openSessionId(10_000);
        h.ok(ephemeral("/renewed", renewed));
        h.ok(ephemeral("/silent", silent));
        long decidedAt = h.nextIndex() - 1;
        h.ok(touch(renewed));
        h.ok(io.kvorum.proto.internal.v1.Command.newBuilder().setExpireSessions(
                io.kvorum.proto.internal.v1.ExpireSessions.newBuilder().addSessionIds(renewed).addSessionIds(silent)
                        .setDecidedAtIndex(decidedAt)));
        assertTrue(h.state.sessions().containsKey(renewed), "the session touched after the decision lives on");
        assertFalse(h.state.sessions().containsKey(silent), "the silent session is expired");
        assertTrue(h.state.get("/renewed").isPresent());
        assertFalse(h.state.get("/silent").isPresent());
    }

    @Test
    void sessionsAndTheirEphemeralsSurviveARestart() {
        long s = h.openSessionId(10_000);
        h.ok(ephemeral("/e", s));
        h.reopen();
        assertEquals(Map.of(s, 10_000L), h.state.sessions());
        h.ok(closeSession(s));
        assertFalse(h.exists("/e"));
    }

    @Test
    void anEphemeralCreatedAndItsSessionClosedInOneBatchAreBothGone() {
        long s = h.openSessionId(10_000);
        List<CommandResult> rs = h.batch(ephemeral("/e1", s), ephemeral("/e2", s), closeSession(s));
        rs.forEach(r -> assertFalse(r.hasError(), r::toString));
        assertFalse(h.exists("/e1"));
        assertFalse(h.exists("/e2"));
        assertEquals(0, h.stat("/").getNumChildren());
    }
}
