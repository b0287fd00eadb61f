package io.kvorum.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvorum.proto.internal.v1.RevisionEvents;
import io.kvorum.proto.v1.Event;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The hub's index hands each revision only to the streams watching one of its paths. */
class WatchHubTest {
    /** Records what the hub offers it. */
    private static final class Recorder implements WatchHub.Subscriber {
        final List<String> got = new ArrayList<>();

        @Override
        public void offer(RevisionEvents events, long missedThrough) {
            got.add(events.getRevision() + (missedThrough > 0 ? " missed through " + missedThrough : ""));
        }
    }

    private static RevisionEvents revision(long revision, String... paths) {
        RevisionEvents.Builder b = RevisionEvents.newBuilder().setRevision(revision);
        for (String p : paths) {
            b.addEvents(Event.newBuilder().setPath(p).setRevision(revision));
        }
        return b.build();
    }

    @Test
    void nodeWatchesGetTheirPathOnlyAndTreeWatchesEverythingBelow() {
        WatchHub hub = new WatchHub(null, 0);
        Recorder node = new Recorder();
        Recorder tree = new Recorder();
        Recorder root = new Recorder();
        Recorder idle = new Recorder();
        for (Recorder r : List.of(node, tree, root, idle)) {
            hub.subscribe(r);
        }
        hub.watch(node, "/a/b", false);
        hub.watch(tree, "/a", true);
        hub.watch(root, "/", true);
        hub.accept(revision(1, "/a/b"));
        hub.accept(revision(2, "/a/bc"));
        hub.accept(revision(3, "/x"));
        hub.accept(revision(4, "/a"));
        assertEquals(List.of("1"), node.got);
        assertEquals(List.of("1", "2", "4"), tree.got, "/a/bc is under /a; /x is not");
        assertEquals(List.of("1", "2", "3", "4"), root.got);
        assertEquals(List.of(), idle.got, "a stream watching nothing is never woken");
        assertEquals(4, hub.notifiedRevision());
    }

    @Test
    void aPathStaysWatchedUntilItsLastWatchIsDropped() {
        WatchHub hub = new WatchHub(null, 0);
        Recorder r = new Recorder();
        hub.subscribe(r);
        hub.watch(r, "/k", false);
        hub.watch(r, "/k", false);
        hub.accept(revision(1, "/k", "/k"));
        hub.unwatch(r, "/k", false);
        hub.accept(revision(2, "/k"));
        hub.unwatch(r, "/k", false);
        hub.accept(revision(3, "/k"));
        assertEquals(List.of("1", "2"), r.got, "one offer per revision, however many events or watches match");
    }

    /** A hub that has fanned out revision 5, a stream watching {@code /k} and one watching nothing. */
    private record TwoStreams(WatchHub hub, Recorder watching, Recorder other) {
        static TwoStreams afterRevision5() {
            TwoStreams t = new TwoStreams(new WatchHub(null, 5), new Recorder(), new Recorder());
            t.hub.subscribe(t.watching);
            t.hub.subscribe(t.other);
            t.hub.watch(t.watching, "/k", false);
            return t;
        }
    }

    @Test
    void aJumpInRevisionsReachesEveryStream() {
        TwoStreams t = TwoStreams.afterRevision5();
        t.hub.accept(revision(6, "/k"));
        t.hub.accept(revision(9, "/elsewhere"));
        t.hub.accept(revision(10, "/elsewhere"));
        assertEquals(List.of("6", "9 missed through 8"), t.watching.got);
        assertEquals(List.of("9 missed through 8"), t.other.got);
    }

    @Test
    void aRestoredRevisionWithoutEventsIsAJumpThroughItselfToEveryStream() {
        TwoStreams t = TwoStreams.afterRevision5();
        t.hub.accept(revision(6)); // a snapshot at the very next revision: that revision was still skipped
        t.hub.accept(revision(7, "/k"));
        t.hub.accept(revision(7)); // restored where the hub already is: nothing skipped
        assertEquals(List.of("6 missed through 6", "7"), t.watching.got);
        assertEquals(List.of("6 missed through 6"), t.other.got);
        assertEquals(7, t.hub.notifiedRevision());
    }
}
