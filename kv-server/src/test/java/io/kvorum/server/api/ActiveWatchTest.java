package io.kvorum.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.kvorum.proto.internal.v1.RevisionEvents;
import io.kvorum.proto.v1.Event;
import io.kvorum.proto.v1.WatchResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ActiveWatchTest {
    private static RevisionEvents rev(long r, String... paths) {
        RevisionEvents.Builder b = RevisionEvents.newBuilder().setRevision(r);
        for (String p : paths) {
            b.addEvents(Event.newBuilder().setType(Event.Type.CHANGED).setPath(p).setRevision(r));
        }
        return b.build();
    }

    private static List<Long> drain(ActiveWatch w) {
        List<Long> revisions = new ArrayList<>();
        while (true) {
            if (w.outgoing.isEmpty()) {
                w.queueBuffered();
            }
            WatchResponse.Builder b = w.outgoing.pollFirst();
            if (b == null) {
                return revisions;
            }
            b.getEventsList().forEach(e -> revisions.add(e.getRevision()));
        }
    }

    @Test
    void nodeWatchSeesOnlyItsOwnPath() {
        ActiveWatch w = new ActiveWatch(1, "/a", false, 1, 100, 1 << 20);
        assertTrue(w.matches(rev(1, "/a").getEvents(0)));
        assertFalse(w.matches(rev(1, "/a/b").getEvents(0)));
        assertFalse(w.matches(rev(1, "/ab").getEvents(0)));
    }

    @Test
    void recursiveWatchSeesTheSubtreeButNotSiblingsWithACommonPrefix() {
        ActiveWatch w = new ActiveWatch(1, "/a", true, 1, 100, 1 << 20);
        assertTrue(w.matches(rev(1, "/a/b/c").getEvents(0)));
        assertFalse(w.matches(rev(1, "/ab").getEvents(0)));
        ActiveWatch root = new ActiveWatch(2, "/", true, 1, 100, 1 << 20);
        assertTrue(root.matches(rev(1, "/x").getEvents(0)));
        assertNull(w.filter(rev(1, "/b", "/ab")));
        assertEquals(1, w.filter(rev(1, "/b", "/a/x")).getEventsCount());
    }

    @Test
    void replayAndLiveOverlapDeliverEachRevisionOnce() {
        ActiveWatch w = new ActiveWatch(1, "/", true, 3, 100, 1 << 20);
        // live events arrive while history is replayed: 5 and 6 are in both
        w.offerLive(rev(5, "/x"));
        w.offerLive(rev(6, "/x"));
        w.offerLive(rev(7, "/x"));
        w.queueReplayed(List.of(rev(3, "/x"), rev(4, "/x"), rev(5, "/x"), rev(6, "/x")));
        assertEquals(7, w.next);
        assertEquals(List.of(3L, 4L, 5L, 6L, 7L), drain(w));
        w.offerLive(rev(7, "/x")); // a late duplicate is dropped
        w.offerLive(rev(8, "/x"));
        assertEquals(List.of(8L), drain(w));
    }

    @Test
    void bufferOverflowMarksTheWatchAndFreesTheBuffer() {
        ActiveWatch w = new ActiveWatch(1, "/", true, 1, 3, 1 << 20);
        for (int r = 1; r <= 3; r++) {
            w.offerLive(rev(r, "/x"));
        }
        assertFalse(w.overflowed);
        w.offerLive(rev(4, "/x"));
        assertTrue(w.overflowed);
        assertFalse(w.hasBuffered());
    }

    @Test
    void responsesHoldWholeRevisionsGroupedUpToAboutOneMebibyte() {
        ActiveWatch w = new ActiveWatch(1, "/", true, 1, 100, 64L << 20);
        for (int r = 1; r <= 3; r++) {
            RevisionEvents.Builder big = RevisionEvents.newBuilder().setRevision(r);
            for (int i = 0; i < 2; i++) {
                big.addEvents(Event.newBuilder().setPath("/n" + i).setRevision(r)
                        .setData(ByteString.copyFrom(new byte[600_000])));
            }
            w.offerLive(big.build());
        }
        w.offerLive(rev(4, "/small"));
        w.offerLive(rev(5, "/small"));
        w.queueBuffered();
        assertEquals(1, w.resumeRevision());
        List<List<Long>> responses = new ArrayList<>();
        while (true) {
            if (w.outgoing.isEmpty()) {
                w.queueBuffered();
            }
            WatchResponse.Builder b = w.outgoing.pollFirst();
            if (b == null) {
                break;
            }
            List<Long> revs = new ArrayList<>();
            b.getEventsList().forEach(e -> revs.add(e.getRevision()));
            responses.add(revs);
        }
        // a 1.2 MB revision is never split; small revisions share a response
        assertEquals(List.of(List.of(1L, 1L), List.of(2L, 2L), List.of(3L, 3L), List.of(4L, 5L)), responses);
        assertEquals(6, w.resumeRevision());
    }
}
