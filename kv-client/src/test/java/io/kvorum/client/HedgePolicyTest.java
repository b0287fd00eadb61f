package io.kvorum.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HedgePolicyTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void theDelayIsThe95thPercentileOfRecentReadsWithinItsBounds() {
        HedgePolicy p = new HedgePolicy(1_000 * MS);
        assertEquals(HedgePolicy.INITIAL_DELAY_NANOS, p.delayNanos(), "too few latencies yet");
        for (int i = 1; i < HedgePolicy.RECOMPUTE_EVERY; i++) {
            p.answered(i * MS);
        }
        assertEquals(HedgePolicy.INITIAL_DELAY_NANOS, p.delayNanos(), "too few latencies yet");
        for (int i = HedgePolicy.RECOMPUTE_EVERY; i <= 4 * HedgePolicy.RECOMPUTE_EVERY; i++) {
            p.answered(i * MS); // 1 ms .. 128 ms
        }
        assertEquals(122 * MS, p.delayNanos(), "the 122nd of 128");
        for (int i = 0; i < 2 * HedgePolicy.WINDOW; i++) {
            p.answered(MS / 10);
        }
        assertEquals(HedgePolicy.MIN_DELAY_NANOS, p.delayNanos(), "never below the floor");
        HedgePolicy capped = new HedgePolicy(20 * MS);
        for (int i = 0; i < HedgePolicy.RECOMPUTE_EVERY; i++) {
            capped.answered(500 * MS);
        }
        assertEquals(20 * MS, capped.delayNanos(), "never above the cap");
    }

    @Test
    void hedgesAreAtMostATenthOfReadsAfterABurst() {
        HedgePolicy p = new HedgePolicy(1_000 * MS);
        for (int i = 0; i < 10; i++) {
            assertTrue(p.tryHedge(), "burst hedge " + i);
        }
        assertFalse(p.tryHedge());
        for (int i = 0; i < 9; i++) {
            p.reading();
        }
        assertFalse(p.tryHedge(), "nine reads earn less than a hedge");
        p.reading();
        assertTrue(p.tryHedge(), "ten reads earn one");
        assertFalse(p.tryHedge());
    }
}
