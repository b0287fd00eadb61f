package io.kvorum.jepsen.report;

import io.kvorum.jepsen.history.Json;
import io.kvorum.jepsen.history.Op;
import io.kvorum.jepsen.history.Type;
import io.kvorum.jepsen.nemesis.FaultWindow;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The timeline: one row per process, each operation a bar from invocation to completion
 * (hover for the details and its line in history.jsonl), fault windows shaded across all rows.
 * Plain HTML and CSS so it opens anywhere, scrolls sideways for long runs.
 */
final class Timeline {
    private static final int ROW = 16;
    private static final int LABEL = 56;

    private Timeline() {
    }

    static String describe(Op op) {
        String result = op.completion() == null ? "never completed"
                : op.outcome().json() + " " + Json.write(op.completion().value());
        String latency = op.completion() == null ? ""
                : String.format(Locale.ROOT, ", %.3f ms", (op.completion().time() - op.callTime()) / 1e6);
        return "p" + op.process() + " " + op.f() + (op.key() == null ? "" : " " + op.key()) + " "
                + Json.write(op.invoke().value()) + " -> " + result + latency + " (line " + op.invoke().line()
                + ")";
    }

    static String html(String title, List<Op> ops, List<FaultWindow> faults, long endNanos) {
        Map<Long, Integer> rows = new TreeMap<>();
        for (Op op : ops) {
            rows.putIfAbsent(op.process(), 0);
        }
        int r = 0;
        for (Map.Entry<Long, Integer> e : rows.entrySet()) {
            e.setValue(r++);
        }
        double seconds = Math.max(endNanos / 1e9, 1e-3);
        double pxPerSecond = Math.max(1100 / seconds, 40);
        int width = (int) (seconds * pxPerSecond) + LABEL + 20;
        int height = rows.size() * ROW + 30;
        StringBuilder b = new StringBuilder();
        b.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>").append(Svg.escape(title))
                .append(" - timeline</title>\n<style>\n")
                .append("body{font-family:sans-serif;font-size:12px;margin:12px}\n")
                .append(".t{position:relative;height:").append(height).append("px;width:").append(width)
                .append("px;border-top:1px solid #ccc}\n")
                .append(".op{position:absolute;height:").append(ROW - 4).append("px;min-width:2px;border-radius:2px}\n")
                .append(".ok{background:#2b8a3e}.fail{background:#c92a2a}.info{background:#e67700;opacity:.7}\n")
                .append(".f{position:absolute;top:0;bottom:0;opacity:.22}\n")
                .append(".fl{position:absolute;top:2px;font-size:11px;color:#333;white-space:nowrap}\n")
                .append(".p{position:absolute;left:0;width:").append(LABEL - 6).append("px;text-align:right;color:#555}\n")
                .append(".tick{position:absolute;bottom:0;font-size:10px;color:#777}\n")
                .append("</style></head><body>\n<h2>").append(Svg.escape(title)).append("</h2>\n")
                .append("<p>One row per process; bars from invocation to completion (green ok, red fail, orange info: ")
                .append("indeterminate, drawn until the client gave up). Shaded: fault windows. Hover for details.</p>\n")
                .append("<div style=\"overflow-x:auto\"><div class=\"t\">\n");
        for (FaultWindow w : faults) {
            long end = w.end() < 0 ? endNanos : w.end();
            double left = LABEL + w.start() / 1e9 * pxPerSecond;
            double wpx = Math.max((end - w.start()) / 1e9 * pxPerSecond, 1);
            b.append(String.format(Locale.ROOT, "<div class=\"f\" style=\"left:%.1fpx;width:%.1fpx;background:%s\" title=\"%s\"></div>",
                    left, wpx, Frame.color(w.nemesis()), Svg.escape(w.nemesis() + ": " + w.description())));
            b.append(String.format(Locale.ROOT, "<div class=\"fl\" style=\"left:%.1fpx\">%s</div>\n", left + 2,
                    Svg.escape(w.nemesis())));
        }
        for (Map.Entry<Long, Integer> e : rows.entrySet()) {
            b.append(String.format(Locale.ROOT, "<div class=\"p\" style=\"top:%dpx\">p%d</div>\n",
                    16 + e.getValue() * ROW, e.getKey()));
        }
        for (Op op : ops) {
            long end = op.completion() == null ? endNanos : op.completion().time();
            double left = LABEL + op.callTime() / 1e9 * pxPerSecond;
            double wpx = (end - op.callTime()) / 1e9 * pxPerSecond;
            String cls = op.outcome() == Type.OK ? "ok" : op.outcome() == Type.FAIL ? "fail" : "info";
            b.append(String.format(Locale.ROOT, "<div class=\"op %s\" style=\"left:%.1fpx;top:%dpx;width:%.1fpx\" title=\"%s\"></div>\n",
                    cls, left, 18 + rows.get(op.process()) * ROW, wpx, Svg.escape(describe(op))));
        }
        double step = Frame.niceStep(seconds / 10);
        for (double t = 0; t <= seconds + 1e-9; t += step) {
            b.append(String.format(Locale.ROOT, "<div class=\"tick\" style=\"left:%.1fpx\">%ss</div>", LABEL + t * pxPerSecond,
                    Frame.format(t)));
        }
        return b.append("\n</div></div>\n</body></html>\n").toString();
    }
}
