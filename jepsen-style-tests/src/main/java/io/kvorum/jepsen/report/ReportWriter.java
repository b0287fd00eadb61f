package io.kvorum.jepsen.report;

import io.kvorum.jepsen.checker.CheckResult;
import io.kvorum.jepsen.checker.Verdict;
import io.kvorum.jepsen.history.Event;
import io.kvorum.jepsen.history.Json;
import io.kvorum.jepsen.history.Op;
import io.kvorum.jepsen.history.Pairing;
import io.kvorum.jepsen.nemesis.FaultWindow;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a run's folder:
 * <pre>
 *   history.jsonl        the history, checkable again with kvorum-jepsen check
 *   faults.json          the fault schedule as it happened
 *   verdicts/NAME.json   each checker's verdict and evidence
 *   results.json         the overall verdict and each checker's
 *   timeline.html        operations per process, fault windows shaded
 *   latency.svg          latency over time, faults marked
 *   throughput.svg       completions per second over time, faults marked
 *   index.html           all of it on one page
 * </pre>
 * results.json, index.html and the returned {@link FaultThroughput} carry the share of the
 * fault-free throughput kept during each fault.
 */
public final class ReportWriter {
    private ReportWriter() {
    }

    /**
     * @param runNanos the end of the run phase on the run clock (what follows are final reads)
     * @param meta     anything worth keeping about the run (workload, nemesis, seed, cluster size)
     * @return the throughput kept during each fault (the verdict is in {@code results})
     */
    public static FaultThroughput write(Path dir, String title, List<Event> history, List<CheckResult> results,
                                        List<FaultWindow> faults, long runNanos, Map<String, Object> meta)
            throws IOException {
        Files.createDirectories(dir.resolve("verdicts"));
        try (BufferedWriter w = Files.newBufferedWriter(dir.resolve("history.jsonl"), StandardCharsets.UTF_8)) {
            for (Event e : history) {
                w.write(e.toJson());
                w.write('\n');
            }
        }
        List<Object> faultList = new ArrayList<>();
        for (FaultWindow f : faults) {
            faultList.add(f.toMap());
        }
        Files.writeString(dir.resolve("faults.json"), Json.write(faultList) + "\n");
        Verdict overall = Verdict.VALID;
        Map<String, Object> verdicts = new LinkedHashMap<>();
        for (CheckResult r : results) {
            Files.writeString(dir.resolve("verdicts").resolve(r.checker() + ".json"), r.toJson() + "\n");
            verdicts.put(r.checker(), r.verdict().json());
            overall = overall.and(r.verdict());
        }
        List<Op> ops = Pairing.of(history, Set.of("event")).ops;
        FaultThroughput throughput = FaultThroughput.of(ops, faults, runNanos);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("title", title);
        summary.put("verdict", overall.json());
        summary.put("checkers", verdicts);
        summary.put("events", (long) history.size());
        summary.put("faults", (long) faults.size());
        summary.put("throughput", throughput.toMap());
        summary.put("meta", meta);
        Files.writeString(dir.resolve("results.json"), Json.write(summary) + "\n");

        long end = 1;
        for (Event e : history) {
            end = Math.max(end, e.time());
        }
        for (FaultWindow f : faults) {
            end = Math.max(end, Math.max(f.start(), f.end()));
        }
        Files.writeString(dir.resolve("timeline.html"), Timeline.html(title, ops, faults, end));
        Files.writeString(dir.resolve("latency.svg"), Charts.latency(ops, faults, end));
        Files.writeString(dir.resolve("throughput.svg"), Charts.throughput(ops, faults, end));
        Files.writeString(dir.resolve("index.html"), index(title, overall, results, throughput, meta));
        return throughput;
    }

    private static String index(String title, Verdict overall, List<CheckResult> results, FaultThroughput throughput,
                                Map<String, Object> meta) {
        StringBuilder b = new StringBuilder("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>")
                .append(Svg.escape(title)).append("</title><style>body{font-family:sans-serif;margin:16px}"
                        + "td,th{padding:2px 10px;text-align:left}pre{background:#f8f9fa;padding:8px}"
                        + ".valid{color:#2b8a3e}.invalid{color:#c92a2a}.unknown{color:#e67700}</style></head><body>\n")
                .append("<h1>").append(Svg.escape(title)).append(": <span class=\"").append(overall.json()).append("\">")
                .append(overall.json()).append("</span></h1>\n<p>").append(Svg.escape(Json.write(meta)))
                .append("</p>\n<table><tr><th>checker</th><th>verdict</th><th>summary</th></tr>\n");
        for (CheckResult r : results) {
            b.append("<tr><td><a href=\"verdicts/").append(r.checker()).append(".json\">").append(r.checker())
                    .append("</a></td><td class=\"").append(r.verdict().json()).append("\">").append(r.verdict().json())
                    .append("</td><td><pre>").append(Svg.escape(r.summary().strip())).append("</pre></td></tr>\n");
        }
        b.append("</table>\n<p><a href=\"timeline.html\">timeline</a> · <a href=\"history.jsonl\">history</a> · "
                + "<a href=\"faults.json\">faults</a></p>\n<img src=\"latency.svg\"><br><img src=\"throughput.svg\">\n"
                + "<h2>Faults</h2>\n<p>").append(Svg.escape(throughput.summaryLine())).append("</p>\n"
                + "<table><tr><th>nemesis</th><th>what</th><th>from (s)</th><th>to (s)</th>"
                + "<th>ops/s from 2 s in</th><th>share of fault-free</th></tr>\n");
        for (FaultThroughput.Row r : throughput.faults()) {
            FaultWindow f = r.fault();
            b.append(String.format(java.util.Locale.ROOT,
                    "<tr><td>%s</td><td>%s</td><td>%.2f</td><td>%s</td><td>%s</td><td>%s</td></tr>\n",
                    Svg.escape(f.nemesis()), Svg.escape(f.description()), f.start() / 1e9,
                    f.end() < 0 ? "-" : String.format(java.util.Locale.ROOT, "%.2f", f.end() / 1e9),
                    Double.isNaN(r.perSecond()) ? "-" : String.format(java.util.Locale.ROOT, "%.1f", r.perSecond()),
                    Double.isNaN(r.ratio()) ? "-" : String.format(java.util.Locale.ROOT, "%.0f %%", 100 * r.ratio())));
        }
        return b.append("</table>\n</body></html>\n").toString();
    }
}
