package io.kvorum.cli.command;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One scrape of a node's admin {@code /metrics}: the samples of the Prometheus text format,
 * read as name, labels and value (comments skipped). Enough for the headline figures; the
 * server's own tests check the format strictly.
 */
record MetricsScrape(long atNanos, List<Sample> samples) {
    record Sample(String name, Map<String, String> labels, double value) {
    }

    /** Fetches {@code scheme://adminAddress/metrics}; throws IOException naming the address. */
    static MetricsScrape fetch(HttpClient http, String scheme, String adminAddress, Duration timeout)
            throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(scheme + "://" + adminAddress + "/metrics")).timeout(timeout)
                .GET().build();
        HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (resp.statusCode() != 200) {
            throw new IOException(adminAddress + "/metrics answered HTTP " + resp.statusCode());
        }
        return parse(System.nanoTime(), resp.body());
    }

    static MetricsScrape parse(long atNanos, String text) {
        List<Sample> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int end = brace >= 0 ? line.lastIndexOf('}') : -1;
            String name = brace >= 0 ? line.substring(0, brace) : line.substring(0, line.indexOf(' '));
            Map<String, String> labels = brace >= 0 ? labels(line.substring(brace + 1, end)) : Map.of();
            String[] rest = line.substring(brace >= 0 ? end + 1 : name.length()).trim().split(" ");
            out.add(new Sample(name, labels, value(rest[0])));
        }
        return new MetricsScrape(atNanos, out);
    }

    /** Sum of the samples called {@code name} whose labels include {@code match}. */
    double sum(String name, Map<String, String> match) {
        double total = 0;
        for (Sample s : samples) {
            if (s.name().equals(name) && s.labels().entrySet().containsAll(match.entrySet())) {
                total += s.value();
            }
        }
        return total;
    }

    /** The samples called {@code name}. */
    List<Sample> all(String name) {
        return samples.stream().filter(s -> s.name().equals(name)).toList();
    }

    /** Whether any sample is called {@code name}. */
    boolean has(String name) {
        return samples.stream().anyMatch(s -> s.name().equals(name));
    }

    private static Map<String, String> labels(String body) {
        Map<String, String> labels = new HashMap<>();
        int i = 0;
        while (i < body.length()) {
            int eq = body.indexOf('=', i);
            String key = body.substring(i, eq);
            StringBuilder v = new StringBuilder();
            int j = eq + 2;
            for (; body.charAt(j) != '"'; j++) {
                char c = body.charAt(j);
                if (c == '\\') {
                    c = body.charAt(++j);
                    v.append(c == 'n' ? '\n' : c);
                } else {
                    v.append(c);
                }
            }
            labels.put(key, v.toString());
            i = j + 1;
            if (i < body.length() && body.charAt(i) == ',') {
                i++;
            }
        }
        return labels;
    }

    private static double value(String v) {
        return switch (v) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(v);
        };
    }
}
