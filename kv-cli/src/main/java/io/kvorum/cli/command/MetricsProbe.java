package io.kvorum.cli.command;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.kvorum.cli.output.Table;
import java.io.IOException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads every admin address's /metrics twice, {@code window} apart, and turns each pair into
 * {@link Headlines}. An address that fails either scrape is reported with the reason.
 */
final class MetricsProbe {
    record Result(String admin, Headlines headlines, String why) {
        boolean answered() {
            return headlines != null;
        }
    }

    private MetricsProbe() {
    }

    /** Over {@code http} with URLs of {@code scheme} (https for a TLS cluster's admin ports). */
    static List<Result> probeAll(List<String> admins, Duration window, Duration timeout, HttpClient http,
                                 String scheme) throws InterruptedException {
        List<MetricsScrape> first = new ArrayList<>();
        List<String> why = new ArrayList<>();
        for (String a : admins) {
            first.add(scrape(http, scheme, a, timeout, why));
        }
        Thread.sleep(window.toMillis());
        List<Result> out = new ArrayList<>();
        for (int i = 0; i < admins.size(); i++) {
            List<String> failure = new ArrayList<>();
            MetricsScrape second = first.get(i) == null ? null
                    : scrape(http, scheme, admins.get(i), timeout, failure);
            if (first.get(i) == null) {
                out.add(new Result(admins.get(i), null, why.get(i)));
            } else if (second == null) {
                out.add(new Result(admins.get(i), null, failure.get(0)));
            } else {
                out.add(new Result(admins.get(i), Headlines.of(first.get(i), second), null));
            }
        }
        return out;
    }

    /** One scrape, or null with the reason appended to {@code why} (kept index-aligned). */
    private static MetricsScrape scrape(HttpClient http, String scheme, String admin, Duration timeout,
                                        List<String> why) throws InterruptedException {
        try {
            MetricsScrape s = MetricsScrape.fetch(http, scheme, admin, timeout);
            why.add(null);
            return s;
        } catch (IOException | IllegalArgumentException | IndexOutOfBoundsException e) {
            why.add("cannot read " + scheme + "://" + admin + "/metrics: " + e.getMessage());
            return null;
        }
    }

    static List<String> table(List<Result> results, Duration window) {
        Table t = new Table("ADMIN", "ID", "ROLE", "LEADER", "APPLY_LAG", "FOLLOWER_LAG", "FSYNC_P99", "REQ/S",
                "ERR/S");
        for (Result r : results) {
            Headlines h = r.headlines();
            if (h == null) {
                t.row(r.admin(), "-", "unreachable", "-", "-", "-", "-", "-", "-");
            } else {
                t.row(r.admin(), h.id(), h.role(), h.leaderId() == 0 ? "none" : h.leaderId(), h.applyLag(),
                        h.followerLag() < 0 ? "-" : h.followerLag(), seconds(h.fsyncP99Seconds()),
                        rate(h.requestsPerSecond()), rate(h.errorsPerSecond()));
            }
        }
        List<String> lines = new ArrayList<>(t.lines());
        lines.add("(rates over " + window.toMillis() + " ms; errors are calls the server failed: unavailable, "
                + "internal, deadline exceeded, ...)");
        for (Result r : results) {
            if (!r.answered()) {
                lines.add(r.admin() + ": " + r.why());
            }
        }
        return lines;
    }

    static JsonArray json(List<Result> results) {
        JsonArray a = new JsonArray();
        for (Result r : results) {
            JsonObject o = new JsonObject();
            o.addProperty("admin", r.admin());
            Headlines h = r.headlines();
            if (h != null) {
                o.addProperty("id", h.id());
                o.addProperty("role", h.role());
                o.addProperty("leaderId", h.leaderId());
                o.addProperty("applyLag", h.applyLag());
                if (h.followerLag() >= 0) {
                    o.addProperty("followerLag", h.followerLag());
                }
                if (!Double.isNaN(h.fsyncP99Seconds())) {
                    o.addProperty("fsyncP99Seconds", h.fsyncP99Seconds());
                }
                o.addProperty("requestsPerSecond", h.requestsPerSecond());
                o.addProperty("errorsPerSecond", h.errorsPerSecond());
            }
            o.addProperty("error", r.why());
            a.add(o);
        }
        return a;
    }

    private static String seconds(double s) {
        if (Double.isNaN(s)) {
            return "-";
        }
        return s < 1 ? String.format(Locale.ROOT, "%.2f ms", s * 1000) : String.format(Locale.ROOT, "%.2f s", s);
    }

    private static String rate(double r) {
        return String.format(Locale.ROOT, "%.1f", r);
    }
}
