package io.kvorum.jepsen.report;

import io.kvorum.jepsen.history.Op;
import io.kvorum.jepsen.history.Type;
import io.kvorum.jepsen.nemesis.FaultWindow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How much of the fault-free throughput clients kept during each fault: the availability a user
 * sees, next to the checkers' verdict on correctness.
 *
 * <p>Throughput counts operations that completed with a definite answer (ok or fail) by their
 * completion time; an info (the client gave up) is not service. A fault is measured from
 * {@link #SETTLE_NANOS} after it began (the election it may force is allowed) until it was
 * healed or the run phase ended. The fault-free rate is measured over the rest of the run phase,
 * leaving out each fault and the {@link #SETTLE_NANOS} after it was healed (recovery). Final
 * reads after the run phase count for neither.
 *
 * @param faultFreePerSecond completions per second outside faults (NaN when there was no such time)
 * @param faults             one row per fault window, in schedule order
 */
public record FaultThroughput(double faultFreePerSecond, List<Row> faults) {
    /** Time a fault is given before it is measured, and after it healed before quiet time counts. */
    public static final long SETTLE_NANOS = 2_000_000_000L;
    /** A measured stretch shorter than this gives no figure (too few operations to mean anything). */
    static final long MIN_MEASURED_NANOS = 1_000_000_000L;

    /**
     * One fault's figures.
     *
     * @param perSecond completions per second from {@link #SETTLE_NANOS} after it began; NaN when too short
     * @param ratio     {@code perSecond} over the fault-free rate; NaN when either is unknown
     */
    public record Row(FaultWindow fault, double perSecond, double ratio) {
        /** The fault's kind: the nemesis and shape its description starts with ("partition-bridge"), else the nemesis. */
        public String label() {
            String d = fault.description();
            int colon = d.indexOf(':');
            return colon > 0 && d.indexOf(' ') > colon ? d.substring(0, colon) : fault.nemesis();
        }
    }

    /**
     * @param ops      the run's operations
     * @param faults   the fault windows (an end below zero: not healed before the run phase ended)
     * @param runNanos the end of the run phase on the run clock (operations after it are final reads)
     */
    public static FaultThroughput of(List<Op> ops, List<FaultWindow> faults, long runNanos) {
        long[] completions = completionTimes(ops, runNanos);
        // Fault-free time: the run phase minus every [start, end + settle) of a fault.
        List<long[]> busy = new ArrayList<>();
        for (FaultWindow f : faults) {
            busy.add(new long[] {Math.max(0, f.start()), Math.min(runNanos, end(f, runNanos) + SETTLE_NANOS)});
        }
        busy.sort((a, b) -> Long.compare(a[0], b[0]));
        long quietNanos = 0;
        long quietCount = 0;
        long from = 0;
        for (long[] b : busy) {
            if (b[0] > from) {
                quietNanos += b[0] - from;
                quietCount += count(completions, from, b[0]);
            }
            from = Math.max(from, b[1]);
        }
        if (runNanos > from) {
            quietNanos += runNanos - from;
            quietCount += count(completions, from, runNanos);
        }
        double faultFree = quietNanos >= MIN_MEASURED_NANOS ? quietCount * 1e9 / quietNanos : Double.NaN;
        List<Row> rows = new ArrayList<>();
        for (FaultWindow f : faults) {
            long a = f.start() + SETTLE_NANOS;
            long z = end(f, runNanos);
            double rate = z - a >= MIN_MEASURED_NANOS ? count(completions, a, z) * 1e9 / (z - a) : Double.NaN;
            rows.add(new Row(f, rate, rate / faultFree));
        }
        return new FaultThroughput(faultFree, List.copyOf(rows));
    }

    /** The lowest ratio over the faults that have one; NaN when none has. */
    public double worstRatio() {
        double worst = Double.NaN;
        for (Row r : faults) {
            if (!Double.isNaN(r.ratio()) && (Double.isNaN(worst) || r.ratio() < worst)) {
                worst = r.ratio();
            }
        }
        return worst;
    }

    /** One line for a run's summary: the fault-free rate, then each fault's ratio. */
    public String summaryLine() {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "throughput kept during faults (from %d s in;"
                + " fault-free %.1f ops/s):", SETTLE_NANOS / 1_000_000_000L, faultFreePerSecond));
        if (faults.isEmpty()) {
            b.append(" no faults");
        }
        for (Row r : faults) {
            b.append(' ').append(r.label()).append(' ')
                    .append(Double.isNaN(r.ratio()) ? "-" : String.format(Locale.ROOT, "%.2f", r.ratio()));
        }
        if (!Double.isNaN(worstRatio())) {
            b.append(String.format(Locale.ROOT, "; worst %.2f", worstRatio()));
        }
        return b.toString();
    }

    /** For results.json. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("settleSeconds", SETTLE_NANOS / 1e9);
        m.put("faultFreePerSecond", faultFreePerSecond);
        m.put("worstRatio", worstRatio());
        List<Object> rows = new ArrayList<>();
        for (Row r : faults) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("nemesis", r.fault().nemesis());
            row.put("kind", r.label());
            row.put("description", r.fault().description());
            row.put("perSecond", r.perSecond());
            row.put("ratio", r.ratio());
            rows.add(row);
        }
        m.put("faults", rows);
        return m;
    }

    private static long end(FaultWindow f, long runNanos) {
        return f.end() < 0 ? runNanos : Math.min(f.end(), runNanos);
    }

    private static long[] completionTimes(List<Op> ops, long runNanos) {
        long[] times = new long[ops.size()];
        int n = 0;
        for (Op op : ops) {
            Type t = op.outcome();
            if ((t == Type.OK || t == Type.FAIL) && op.completion().time() <= runNanos) {
                times[n++] = op.completion().time();
            }
        }
        long[] out = java.util.Arrays.copyOf(times, n);
        java.util.Arrays.sort(out);
        return out;
    }

    /** Completions in [from, to). */
    private static long count(long[] sorted, long from, long to) {
        return to <= from ? 0 : lowerBound(sorted, to) - lowerBound(sorted, from);
    }

    private static int lowerBound(long[] a, long key) {
        int lo = 0;
        int hi = a.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] < key) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
