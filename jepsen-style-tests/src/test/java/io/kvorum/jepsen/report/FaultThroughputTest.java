package io.kvorum.jepsen.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.jepsen.history.Event;
import io.kvorum.jepsen.history.Op;
import io.kvorum.jepsen.history.Type;
import io.kvorum.jepsen.nemesis.FaultWindow;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The share of the fault-free throughput kept during faults, on made-up operations. */
class FaultThroughputTest {
    private static final long S = 1_000_000_000L;

    /** One operation completing every {@code everyNanos} in [from, to), with {@code outcome}. */
    private static void ops(List<Op> out, long from, long to, long everyNanos, Type outcome) {
        for (long t = from; t < to; t += everyNanos) {
            Event invoke = new Event(0, out.size(), Type.INVOKE, "read", "k0", null, t, null);
            Event done = new Event(0, out.size(), outcome, "read", "k0", null, t + 1, null);
            out.add(new Op(invoke, done));
        }
    }

    @Test
    void measuresEachFaultFromTwoSecondsInAgainstQuietTime() {
        List<Op> ops = new ArrayList<>();
        // 100/s before the fault, 100/s in its first 2 s (an election, not counted), 25/s after
        // that, 1000/s in the 2 s after healing (recovery, not counted), 100/s to the end.
        ops(ops, 0, 10 * S, S / 100, Type.OK);
        ops(ops, 10 * S, 12 * S, S / 100, Type.OK);
        ops(ops, 12 * S, 20 * S, S / 25, Type.FAIL);
        ops(ops, 20 * S, 22 * S, S / 1000, Type.OK);
        ops(ops, 22 * S, 30 * S, S / 100, Type.OK);
        ops(ops, 30 * S, 40 * S, S / 1000, Type.OK); // final reads after the run phase: not counted
        FaultWindow fault = new FaultWindow("partition", "partition-halves: halves [1] | [2, 3]", 10 * S, 20 * S);

        FaultThroughput t = FaultThroughput.of(ops, List.of(fault), 30 * S);

        assertEquals(100, t.faultFreePerSecond(), 0.5);
        assertEquals(25, t.faults().get(0).perSecond(), 0.5);
        assertEquals(0.25, t.faults().get(0).ratio(), 0.01);
        assertEquals(0.25, t.worstRatio(), 0.01);
        assertTrue(t.summaryLine().contains("partition-halves 0.25"), t.summaryLine());
    }

    @Test
    void indeterminateOperationsAreNotService() {
        List<Op> ops = new ArrayList<>();
        ops(ops, 0, 10 * S, S / 10, Type.OK);
        ops(ops, 10 * S, 20 * S, S / 10, Type.INFO);
        FaultWindow fault = new FaultWindow("pause", "SIGSTOP [2]", 10 * S, 20 * S);

        FaultThroughput t = FaultThroughput.of(ops, List.of(fault), 20 * S);

        assertEquals(10, t.faultFreePerSecond(), 0.2);
        assertEquals(0, t.faults().get(0).ratio(), 1e-9);
    }

    @Test
    void aFaultStillOpenAtTheEndIsMeasuredToTheEndOfTheRunPhase() {
        List<Op> ops = new ArrayList<>();
        ops(ops, 0, 20 * S, S / 10, Type.OK);
        FaultWindow open = new FaultWindow("kill-one", "SIGKILL [3]", 10 * S, -1);
        FaultWindow tooShort = new FaultWindow("pause", "SIGSTOP [1]", 2 * S, 3 * S);

        FaultThroughput t = FaultThroughput.of(ops, List.of(tooShort, open), 20 * S);

        assertTrue(Double.isNaN(t.faults().get(0).ratio()), "a fault healed within 2 s has no figure");
        assertEquals(1.0, t.faults().get(1).ratio(), 0.05);
    }
}
