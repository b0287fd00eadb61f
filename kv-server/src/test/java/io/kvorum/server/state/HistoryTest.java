package io.kvorum.server.state;

import static io.kvorum.server.state.StateHarness.create;
import static io.kvorum.server.state.StateHarness.delete;
import static io.kvorum.server.state.StateHarness.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.proto.internal.v1.Command;
import io.kvorum.proto.internal.v1.RevisionEvents;
import io.kvorum.proto.v1.CreateMode;
import io.kvorum.proto.v1.ErrorReason;
import io.kvorum.proto.v1.Event;
import io.kvorum.server.storage.StateBatch;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;

/** Events of every revision: in the history (range reads, bounded) and to listeners once durable. */
class HistoryTest {
    @TempDir
    Path dir;
    StateHarness h;

    @AfterEach
    void close() {
        h.close();
    }

    private static StateLimits keeping(long revisions) {
        StateLimits d = StateLimits.defaults();
        return new StateLimits(d.maxPathBytes(), d.maxValueBytes(), d.maxRequestBytes(), d.maxMultiOps(),
                revisions, d.dedupeClients(), d.dedupePerClient(), d.minSessionTtlMillis(), d.maxSessionTtlMillis());
    }

    private static List<Long> revisions(List<RevisionEvents> rs) {
        return rs.stream().map(RevisionEvents::getRevision).toList();
    }

    @Test
    void aCreateProducesCreatedAndTheParentsChildrenChangedWithItsNewStat() {
        h = new StateHarness(dir);
        h.ok(create("/p"));
        h.ok(create("/p/c", "data", CreateMode.PERSISTENT));
        List<Event> events = h.state.history(2, 1).get(0).getEventsList();
        assertEquals(2, events.size());
        assertEquals(Event.Type.CREATED, events.get(0).getType());
        assertEquals("/p/c", events.get(0).getPath());
        assertEquals("data", events.get(0).getData().toStringUtf8());
        assertEquals(h.stat("/p/c"), events.get(0).getStat());
        assertEquals(Event.Type.CHILDREN_CHANGED, events.get(1).getType());
        assertEquals("/p", events.get(1).getPath());
        assertEquals(h.stat("/p"), events.get(1).getStat());
        assertTrue(events.stream().allMatch(e -> e.getRevision() == 2));
    }

    @Test
    void aSetProducesChangedAndADeleteProducesDeletedWithoutStat() {
        h = new StateHarness(dir);
        h.ok(create("/a"));
        h.ok(set("/a", "new", -1));
        h.ok(delete("/a", -1));
        Event changed = h.state.history(2, 1).get(0).getEvents(0);
        assertEquals(Event.Type.CHANGED, changed.getType());
        assertEquals("new", changed.getData().toStringUtf8());
        assertEquals(1, changed.getStat().getVersion());
        Event deleted = h.state.history(3, 1).get(0).getEvents(0);
        assertEquals(Event.Type.DELETED, deleted.getType());
        assertEquals("/a", deleted.getPath());
        assertTrue(!deleted.hasStat());
        assertEquals(Event.Type.CHILDREN_CHANGED, h.state.history(3, 1).get(0).getEvents(1).getType());
    }

    @Test
    void historyIsARangeOfConsecutiveRevisions() {
        h = new StateHarness(dir);
        for (int i = 0; i < 10; i++) {
            h.ok(create("/n" + i));
        }
        assertEquals(List.of(4L, 5L, 6L), revisions(h.state.history(4, 3)));
        assertEquals(List.of(9L, 10L), revisions(h.state.history(9, 100)));
        assertEquals(List.of(), h.state.history(11, 100));
        assertEquals(1, h.state.compactedRevision());
    }

    @Test
    void onlyTheLastHistoryRevisionsAreKept() {
        h = new StateHarness(dir, keeping(5));
        for (int i = 0; i < 12; i++) {
            h.ok(create("/n" + i));
        }
        assertEquals(8, h.state.compactedRevision());
        assertEquals(List.of(8L, 9L, 10L, 11L, 12L), revisions(h.state.history(8, 100)));
        long stored = h.dump().keySet().stream().filter(k -> k.startsWith("68")).count();
        assertEquals(5, stored);
    }

    @Test
    void revisionsPushedOutOfALargeWindowAreDeletedSeveralAtATime() {
        h = new StateHarness(dir, keeping(640));
        Command.Builder[] creates = new Command.Builder[649];
        for (int i = 0; i < creates.length; i++) {
            creates[i] = create("/n" + i);
        }
        h.batch(creates);
        assertEquals(1, h.state.compactedRevision(), "9 revisions over the window of 640 stay");
        h.ok(create("/x"));
        assertEquals(11, h.state.compactedRevision(), "10 over it (a 64th of the window) are deleted together");
        assertEquals(640, h.dump().keySet().stream().filter(k -> k.startsWith("68")).count());
        for (int i = 0; i < 9; i++) {
            h.ok(create("/y" + i));
        }
        assertEquals(11, h.state.compactedRevision());
        assertEquals(List.of(11L), revisions(h.state.history(11, 1)));
    }

    @Test
    void askingForACompactedRevisionFailsWithCompacted() {
        h = new StateHarness(dir, keeping(5));
        for (int i = 0; i < 12; i++) {
            h.ok(create("/n" + i));
        }
        StateException e = assertThrows(StateException.class, () -> h.state.history(7, 10));
        assertEquals(ErrorReason.COMPACTED, e.reason());
        assertTrue(e.getMessage().contains("8"), e.getMessage());
    }

    @Test
    void withNoHistoryEverythingBeforeTheNextRevisionIsCompacted() {
        h = new StateHarness(dir, keeping(0));
        assertEquals(1, h.state.compactedRevision());
        h.ok(create("/a"));
        h.ok(create("/b"));
        assertEquals(3, h.state.compactedRevision());
        assertEquals(List.of(), h.state.history(3, 10));
    }

    @Test
    void aSmallerHistoryLimitAfterARestartTrimsTheOlderRevisions() {
        h = new StateHarness(dir);
        for (int i = 0; i < 40; i++) {
            h.ok(create("/n" + i));
        }
        h.close();
        h = new StateHarness(dir, keeping(3));
        assertEquals(1, h.state.compactedRevision(), "nothing is trimmed until the next revision");
        h.ok(create("/x"));
        assertEquals(39, h.state.compactedRevision());
        assertEquals(List.of(39L, 40L, 41L), revisions(h.state.history(39, 10)));
        assertEquals(3, h.dump().keySet().stream().filter(k -> k.startsWith("68")).count());
    }

    @Test
    void listenersGetEachRevisionInOrderOnlyOnceCommitted() {
        h = new StateHarness(dir);
        List<Long> seen = new ArrayList<>();
        h.state.addListener(re -> seen.add(re.getRevision()));
        h.batch(create("/a"), create("/b"), StateHarness.openSession(10_000), create("/c"));
        assertEquals(List.of(1L, 2L, 3L), seen);

        // Applied but not yet reported durable: nothing delivered.
        long index = h.nextIndex();
        h.store.persist(new io.kvorum.server.raft.Ready(null, null,
                List.of(io.kvorum.server.raft.Entry.normal(1, index, new byte[] {1})), null, List.of(), List.of(),
                List.of(), List.of()));
        byte[] cmd = create("/d").setTimeMillis(1).build().toByteArray();
        h.store.applyBatch(index, io.kvorum.server.raft.ConfState.EMPTY, (StateBatch b) -> {
            h.state.apply(index, cmd, b);
            h.state.finishBatch(b);
        });
        assertEquals(List.of(1L, 2L, 3L), seen);
        assertEquals(3, h.state.revision(), "readers see the new revision only once it is committed");
        h.state.batchWritten(index);
        assertEquals(List.of(1L, 2L, 3L, 4L), seen);
        assertEquals(4, h.state.revision());
    }

    @Test
    void aRestoreHandsListenersTheRestoredRevisionWithoutEventsAtOnce() {
        h = new StateHarness(dir);
        List<String> seen = new ArrayList<>();
        h.state.addListener(re -> seen.add(re.getRevision() + (re.getEventsCount() == 0 ? " none" : "")));
        h.ok(create("/a"));
        h.replaceUnderState(w -> w.put(Keys.REVISION, Keys.longValue(9)));
        assertEquals(List.of("1", "9 none"), seen, "the jump is told before any further write");
        assertEquals(9, h.state.revision());
        h.ok(create("/b"));
        assertEquals(List.of("1", "9 none", "10"), seen);
    }

    @Test
    void aFailingListenerDoesNotStopTheOthers() {
        h = new StateHarness(dir);
        List<Long> seen = new ArrayList<>();
        h.state.addListener(re -> {
            throw new IllegalStateException("listener bug");
        });
        h.state.addListener(re -> seen.add(re.getRevision()));
        h.ok(create("/a"));
        h.ok(create("/b"));
        assertEquals(List.of(1L, 2L), seen);
    }

    @Test
    void aRemovedListenerGetsNothingMore() {
        h = new StateHarness(dir);
        List<Long> seen = new ArrayList<>();
        java.util.function.Consumer<RevisionEvents> l = re -> seen.add(re.getRevision());
        h.state.addListener(l);
        h.ok(create("/a"));
        h.state.removeListener(l);
        h.ok(create("/b"));
        assertEquals(List.of(1L), seen);
    }

    @Test
    void historySurvivesARestart() {
        h = new StateHarness(dir);
        LongStream.range(0, 5).forEach(i -> h.ok(create("/n" + i)));
        h.reopen();
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), revisions(h.state.history(1, 10)));
    }
}
