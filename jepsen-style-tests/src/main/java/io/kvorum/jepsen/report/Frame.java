package io.kvorum.jepsen.report;

import io.kvorum.jepsen.nemesis.FaultWindow;
import java.util.List;
import java.util.Locale;

/**
 * A chart's frame: run time (nanoseconds) across, fault windows shaded behind the plot and
 * labelled, axes and the time ticks. Every chart of a report uses the same span so they line up.
 */
final class Frame {
    static final int LEFT = 64;
    static final int RIGHT = 20;
    static final int TOP = 34;
    static final int BOTTOM = 36;

    final Svg svg;
    final long endNanos;

    Frame(int width, int height, long endNanos, String title) {
        this.svg = new Svg(width, height);
        this.endNanos = Math.max(endNanos, 1);
        svg.text(LEFT, 16, title, "start", "#222");
    }

    double x(long nanos) {
        return LEFT + (svg.width - LEFT - RIGHT) * Math.min(Math.max(nanos, 0), endNanos) / (double) endNanos;
    }

    double plotTop() {
        return TOP;
    }

    double plotBottom() {
        return svg.height - BOTTOM;
    }

    static String color(String nemesis) {
        if (nemesis.startsWith("partition") || nemesis.startsWith("blackhole")) {
            return "#4dabf7";
        }
        if (nemesis.startsWith("kill")) {
            return "#ff6b6b";
        }
        if (nemesis.startsWith("pause")) {
            return "#b197fc";
        }
        if (nemesis.startsWith("latency")) {
            return "#ffd43b";
        }
        return "#adb5bd";
    }

    void faults(List<FaultWindow> faults) {
        for (FaultWindow w : faults) {
            long end = w.end() < 0 ? endNanos : w.end();
            double x0 = x(w.start());
            double x1 = x(end);
            svg.rect(x0, plotTop(), x1 - x0, plotBottom() - plotTop(), color(w.nemesis()), w.nemesis() + ": "
                    + w.description(), 0.25);
            svg.text(x0 + 2, plotTop() - 4, w.nemesis(), "start", "#555");
        }
    }

    void timeAxis() {
        svg.line(LEFT, plotBottom(), svg.width - RIGHT, plotBottom(), "#333", 1);
        double seconds = endNanos / 1e9;
        double step = niceStep(seconds / 10);
        for (double t = 0; t <= seconds + 1e-9; t += step) {
            double px = x((long) (t * 1e9));
            svg.line(px, plotBottom(), px, plotBottom() + 4, "#333", 1);
            svg.text(px, plotBottom() + 16, format(t) + "s", "middle", "#333");
        }
        svg.text((LEFT + svg.width - RIGHT) / 2.0, svg.height - 4, "run time", "middle", "#555");
    }

    static double niceStep(double raw) {
        if (raw <= 0) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[]{1, 2, 5, 10}) {
            if (m * p >= raw) {
                return m * p;
            }
        }
        return 10 * p;
    }

    static String format(double v) {
        if (v == Math.rint(v)) {
            return Long.toString((long) v);
        }
        return new java.math.BigDecimal(String.format(Locale.ROOT, "%.3g", v)).stripTrailingZeros().toPlainString();
    }
}
