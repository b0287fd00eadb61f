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
