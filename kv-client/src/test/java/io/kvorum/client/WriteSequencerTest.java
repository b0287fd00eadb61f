package io.kvorum.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class WriteSequencerTest {
    @Test
    void aSequenceIsHandedOutOnlyInsideTheWindowAboveTheLowestInFlight() {
        WriteSequencer s = new WriteSequencer(() -> "c", 3);
        long a = s.begin().join();
        long b = s.begin().join();
        long c = s.begin().join();
        CompletableFuture<Long> d = s.begin();
        assertFalse(d.isDone(), "sequence 4 is 3 past the lowest in flight (1)");
        s.end(b);
        assertFalse(d.isDone(), "ending 2 leaves 1 in flight, so 4 still does not fit");
        s.end(a);
        assertEquals(4L, d.join());
        assertEquals(c, s.header(d.join()).getLowestUnansweredSequence());
    }

    @Test
    void aCancelledWaitGivesItsSlotToTheNextWaiter() {
        WriteSequencer s = new WriteSequencer(() -> "c", 1);
        long a = s.begin().join();
        CompletableFuture<Long> gaveUp = s.begin();
        CompletableFuture<Long> waits = s.begin();
        assertTrue(gaveUp.cancel(false));
        s.end(a);
        assertEquals(2L, waits.join());
        assertEquals(1, s.inFlightCount());
        assertEquals(0, s.waitingCount());
    }

    /** The ring of writes in flight grows past its first size and wraps without losing one. */
    @Test
    void manyWritesInFlightKeepTheirLowestAcrossGrowingAndWrapping() {
        WriteSequencer s = new WriteSequencer(() -> "c", 300);
        for (int round = 0; round < 5; round++) {
            java.util.List<Long> open = new java.util.ArrayList<>();
            for (int i = 0; i < 250; i++) {
                open.add(s.begin().join());
            }
            long first = open.get(0);
            for (int i = 1; i < open.size(); i += 2) {
                s.end(open.get(i));
            }
            assertEquals(125, s.inFlightCount());
            assertEquals(first, s.header(open.get(248)).getLowestUnansweredSequence());
            s.end(first);
            assertEquals(first + 2, s.header(open.get(248)).getLowestUnansweredSequence(),
                    "the lowest skips the ended sequence between");
            s.end(first); // a second end of the same write changes nothing
            assertEquals(124, s.inFlightCount());
            for (int i = 2; i < open.size(); i += 2) {
                s.end(open.get(i));
            }
            assertEquals(0, s.inFlightCount());
            long next = s.begin().join();
            assertEquals(next, s.header(next).getLowestUnansweredSequence());
            s.end(next);
        }
    }

    /** Random begins and ends, checked against a sorted set of the sequences in flight. */
    @Test
    void theLowestInFlightMatchesASortedSetOfThem() {
        WriteSequencer s = new WriteSequencer(() -> "c", 150);
        java.util.Random r = new java.util.Random(11);
        java.util.TreeSet<Long> model = new java.util.TreeSet<>();
        java.util.List<Long> open = new java.util.ArrayList<>();
        long handedOut = 0;
        for (int i = 0; i < 50_000; i++) {
            boolean begin = open.isEmpty() || (r.nextInt(100) < (open.size() < 120 ? 55 : 45));
            if (begin) {
                CompletableFuture<Long> f = s.begin();
                if (!f.isDone()) {
                    assertTrue(f.cancel(false));
                    assertEquals(150, handedOut + 1 - model.first(), "a begin waited with room in the window");
                    continue;
                }
                assertEquals(handedOut + 1, f.join());
                handedOut = f.join();
                open.add(f.join());
                model.add(f.join());
            } else {
                long seq = open.remove(r.nextInt(open.size()));
                s.end(seq);
                model.remove(seq);
            }
            assertEquals(model.size(), s.inFlightCount());
            if (!open.isEmpty()) {
                long any = open.get(r.nextInt(open.size()));
                assertEquals(model.first(), s.header(any).getLowestUnansweredSequence(), "step " + i);
            }
        }
    }

    @Test
    void everyHeaderStaysWithinTheWindowOfItsLowest() {
        WriteSequencer s = new WriteSequencer(() -> "c", 4);
        java.util.Random r = new java.util.Random(7);
        java.util.List<Long> open = new java.util.ArrayList<>();
        java.util.List<CompletableFuture<Long>> pending = new java.util.ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            if (r.nextBoolean()) {
                pending.add(s.begin());
            } else if (!open.isEmpty()) {
                s.end(open.remove(r.nextInt(open.size())));
            }
            pending.removeIf(f -> {
                if (f.isDone()) {
                    open.add(f.join());
                    return true;
                }
                return false;
            });
            for (long seq : open) {
                long lowest = s.header(seq).getLowestUnansweredSequence();
                assertTrue(seq - lowest < 4, "sequence " + seq + " lowest " + lowest);
            }
        }
    }
}
