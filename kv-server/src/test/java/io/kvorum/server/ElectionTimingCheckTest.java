package io.kvorum.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ElectionTimingCheckTest {
    private static final long MS = 1_000_000;

    @Test
    void warnsOncePerPeerWhoseMedianRoundTripIsOverAFifthOfTheElectionTimeout() {
        List<String> warnings = new ArrayList<>();
        ElectionTimingCheck check = new ElectionTimingCheck(1000, warnings::add);
        for (int i = 0; i < ElectionTimingCheck.SAMPLES * 3; i++) {
            check.observed(2, 250 * MS); // 4 round trips per election timeout: too few
            check.observed(3, 20 * MS); // 50: plenty
        }
        assertEquals(1, warnings.size(), warnings.toString());
        String w = warnings.get(0);
        assertTrue(w.contains("peer 2") && w.contains("--election-ms 1000") && w.contains("250.0 ms")
                && w.contains("at least 1250"), w);
    }

    @Test
    void oneSlowAnswerAmongFastOnesIsNoReasonToWarn() {
        List<String> warnings = new ArrayList<>();
        ElectionTimingCheck check = new ElectionTimingCheck(500, warnings::add);
        check.observed(2, 3000 * MS); // e.g. the peer was restarting
        for (int i = 1; i < ElectionTimingCheck.SAMPLES; i++) {
            check.observed(2, 50 * MS); // 10 round trips per election timeout
        }
        assertEquals(List.of(), warnings);
    }

    @Test
    void judgesOnlyOnceItHasEnoughRoundTrips() {
        List<String> warnings = new ArrayList<>();
        ElectionTimingCheck check = new ElectionTimingCheck(100, warnings::add);
        for (int i = 0; i < ElectionTimingCheck.SAMPLES - 1; i++) {
            check.observed(2, 100 * MS);
        }
        assertEquals(List.of(), warnings);
        check.observed(2, 100 * MS);
        assertEquals(1, warnings.size());
    }
}
