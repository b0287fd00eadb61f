package io.kvorum.cli.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Latencies and errors of a run, recorded from many threads without locks. Latencies go into an
 * HdrHistogram {@link Recorder} in microseconds; {@link #interval()} takes what came since the
 * last call (the progress line) and, once the warm-up is over, adds it to the run's total.
 */
final class Stats {
    /** Latencies above this are clamped: a minute is beyond any deadline the CLI uses. */
    private static final long MAX_MICROS = TimeUnit.MINUTES.toMicros(1);

    private final Recorder recorder = new Recorder(MAX_MICROS, 3);
    private final Histogram total = new Histogram(MAX_MICROS, 3);
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final LongAdder intervalErrors = new LongAdder();
    private long totalErrors;
    private Histogram reuse;

    void ok(long nanos) {
        recorder.recordValue(Math.min(MAX_MICROS, Math.max(1, nanos / 1_000)));
    }

    void error(Throwable e) {
        errors.computeIfAbsent(e.getClass().getSimpleName(), k -> new LongAdder()).increment();
        intervalErrors.increment();
    }

    /** The latencies since the last call, and the errors; counted in the total when {@code measured}. */
    synchronized Interval interval(boolean measured) {
        reuse = recorder.getIntervalHistogram(reuse);
        long errs = intervalErrors.sumThenReset();
        if (measured) {
            total.add(reuse);
            totalErrors += errs;
        } else {
            // Warm-up errors are not the run's errors.
            errors.clear();
        }
        return new Interval(reuse.getTotalCount(), errs, reuse.getValueAtPercentile(50) / 1000.0,
                reuse.getValueAtPercentile(99) / 1000.0);
    }

    synchronized Histogram total() {
        return total.copy();
    }

    synchronized long totalErrors() {
        return totalErrors;
    }

    Map<String, Long> errorsByType() {
        Map<String, Long> m = new TreeMap<>();
        errors.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    /** One second's worth: operations, errors, and p50/p99 in milliseconds. */
    record Interval(long ops, long errors, double p50Millis, double p99Millis) {
    }
}
