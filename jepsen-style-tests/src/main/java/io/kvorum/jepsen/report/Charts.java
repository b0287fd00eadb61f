package io.kvorum.jepsen.report;

import io.kvorum.jepsen.history.Op;
import io.kvorum.jepsen.history.Type;
import io.kvorum.jepsen.nemesis.FaultWindow;
import java.util.List;

/** Latency and throughput over run time, faults shaded: what a fault did to clients. */
final class Charts {
    static final int WIDTH = 1100;
    static final int HEIGHT = 320;

    private Charts() {
    }

    static String color(Type outcome) {
        return switch (outcome) {
            case OK -> "#2b8a3e";
            case FAIL -> "#c92a2a";
            default -> "#e67700";
        };
    }

    /**
     * Each completed operation at its completion time, latency on a log scale (from the decade
     * of the fastest to that of the slowest); info operations at the time their client gave up.
     */
    static String latency(List<Op> ops, List<FaultWindow> faults, long endNanos) {
        Frame f = new Frame(WIDTH, HEIGHT, endNanos, "Latency (ms, log scale) by completion time; ok green, fail red,"
                + " info orange; faults shaded");
        f.faults(faults);
        double maxMs = 1;
        double minMs = 1;
        for (Op op : ops) {
            if (op.completion() != null) {
                double ms = Math.max((op.completion().time() - op.callTime()) / 1e6, 1e-3);
                maxMs = Math.max(maxMs, ms);
                minMs = Math.min(minMs, ms);
            }
        }
        double lo = Math.floor(Math.log10(minMs)); // a decade below the fastest, never under 1 µs
        double hi = Math.ceil(Math.log10(maxMs));
        for (int e = (int) lo; e <= hi; e++) {
            double y = y(f, Math.pow(10, e), lo, hi);
            f.svg.line(Frame.LEFT - 4, y, WIDTH - Frame.RIGHT, y, "#e9ecef", 1);
            f.svg.text(Frame.LEFT - 6, y + 4, e >= 0 ? Frame.format(Math.pow(10, e)) : "1e" + e, "end", "#333");
        }
        f.svg.line(Frame.LEFT, f.plotTop(), Frame.LEFT, f.plotBottom(), "#333", 1);
        for (Op op : ops) {
            if (op.completion() == null) {
                continue;
            }
            double ms = Math.max((op.completion().time() - op.callTime()) / 1e6, 1e-3);
            f.svg.circle(f.x(op.completion().time()), y(f, ms, lo, hi), 1.8, color(op.outcome()),
                    Timeline.describe(op));
        }
        f.timeAxis();
        return f.svg.render();
    }

    private static double y(Frame f, double ms, double lo, double hi) {
        double frac = (Math.log10(ms) - lo) / Math.max(hi - lo, 1e-9);
        return f.plotBottom() - frac * (f.plotBottom() - f.plotTop());
    }

    /** Completions per second in buckets (about 100 across the run, at least 100 ms each), by outcome. */
    static String throughput(List<Op> ops, List<FaultWindow> faults, long endNanos) {
        Frame f = new Frame(WIDTH, HEIGHT, endNanos, "Throughput (completions/s); ok green, fail red, info orange;"
                + " faults shaded");
        f.faults(faults);
        long bucket = Math.max(100_000_000L, endNanos / 100);
        int n = (int) (endNanos / bucket) + 1;
        double[][] counts = new double[3][n];
        for (Op op : ops) {
            if (op.completion() == null) {
                continue;
            }
            int k = (int) Math.min(n - 1, op.completion().time() / bucket);
            counts[op.outcome() == Type.OK ? 0 : op.outcome() == Type.FAIL ? 1 : 2][k] += 1e9 / bucket;
        }
        double max = 1;
        for (double[] series : counts) {
            for (double v : series) {
                max = Math.max(max, v);
            }
        }
        double step = Frame.niceStep(max / 5);
        double top = Math.ceil(max / step) * step;
        for (double v = 0; v <= top + 1e-9; v += step) {
            double y = f.plotBottom() - v / top * (f.plotBottom() - f.plotTop());
            f.svg.line(Frame.LEFT - 4, y, WIDTH - Frame.RIGHT, y, "#e9ecef", 1);
            f.svg.text(Frame.LEFT - 6, y + 4, Frame.format(v), "end", "#333");
        }
        f.svg.line(Frame.LEFT, f.plotTop(), Frame.LEFT, f.plotBottom(), "#333", 1);
        Type[] outcomes = {Type.OK, Type.FAIL, Type.INFO};
        for (int s = 0; s < 3; s++) {
            double[] xs = new double[n];
            double[] ys = new double[n];
            for (int k = 0; k < n; k++) {
                xs[k] = f.x(k * bucket + bucket / 2);
                ys[k] = f.plotBottom() - counts[s][k] / top * (f.plotBottom() - f.plotTop());
            }
            f.svg.polyline(xs, ys, color(outcomes[s]));
        }
        f.timeAxis();
        return f.svg.render();
    }
}
