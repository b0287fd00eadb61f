package io.kvorum.cli.bench;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * A finished run's figures, as text or as one JSON object:
 * {@code {workload, clients, connections, valueSize, keys, readPercent, consistency, rate,
 * warmupSeconds, durationSeconds, ops, opsPerSecond, errors, errorsByType: {type: n},
 * latencyMillis: {p50, p90, p99, p999, max, mean}}}. {@code rate} is 0 without a limit.
 */
record Report(String workload, int clients, int connections, int valueSize, int keys, int readPercent,
              String consistency, double rate, double warmupSeconds, double durationSeconds, Histogram latency,
              long errors, Map<String, Long> errorsByType) {

    double opsPerSecond() {
        return durationSeconds <= 0 ? 0 : latency.getTotalCount() / durationSeconds;
    }

    private double ms(double percentile) {
        return latency.getTotalCount() == 0 ? 0 : latency.getValueAtPercentile(percentile) / 1000.0;
    }

    JsonObject json() {
        JsonObject o = new JsonObject();
        o.addProperty("workload", workload);
        o.addProperty("clients", clients);
        o.addProperty("connections", connections);
        o.addProperty("valueSize", valueSize);
        o.addProperty("keys", keys);
        o.addProperty("readPercent", readPercent);
        o.addProperty("consistency", consistency);
        o.addProperty("rate", rate);
        o.addProperty("warmupSeconds", warmupSeconds);
        o.addProperty("durationSeconds", round(durationSeconds));
        o.addProperty("ops", latency.getTotalCount());
        o.addProperty("opsPerSecond", round(opsPerSecond()));
        o.addProperty("errors", errors);
        JsonObject e = new JsonObject();
        errorsByType.forEach(e::addProperty);
        o.add("errorsByType", e);
        JsonObject l = new JsonObject();
        l.addProperty("p50", ms(50));
        l.addProperty("p90", ms(90));
        l.addProperty("p99", ms(99));
        l.addProperty("p999", ms(99.9));
        l.addProperty("max", latency.getTotalCount() == 0 ? 0 : latency.getMaxValue() / 1000.0);
        l.addProperty("mean", latency.getTotalCount() == 0 ? 0 : round(latency.getMean() / 1000.0));
        o.add("latencyMillis", l);
        return o;
    }

    List<String> text() {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "workload %s, %d clients on %d connection%s, %d-byte values, %d keys%s%s",
                workload, clients, connections, connections == 1 ? "" : "s", valueSize, keys,
                workload.equals("write") ? "" : ", " + consistency + " reads",
                rate > 0 ? String.format(Locale.ROOT, ", rate limit %.0f ops/s", rate) : ""));
        lines.add(String.format(Locale.ROOT, "%,d ops in %.1f s: %,.0f ops/s", latency.getTotalCount(),
                durationSeconds, opsPerSecond()));
        lines.add(String.format(Locale.ROOT, "latency ms: p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f",
                ms(50), ms(90), ms(99), ms(99.9), latency.getTotalCount() == 0 ? 0 : latency.getMaxValue() / 1000.0));
        if (errors == 0) {
            lines.add("errors: 0");
        } else {
            StringBuilder b = new StringBuilder("errors: " + errors + " (");
            errorsByType.forEach((k, v) -> b.append(k).append(' ').append(v).append(", "));
            b.setLength(b.length() - 2);
            lines.add(b.append(')').toString());
        }
        return lines;
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
