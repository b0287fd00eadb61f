package io.kvorum.server.metrics;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format (0.0.4), for tests: it rejects
 * what Prometheus would reject and what the format only tolerates, naming the line. Checked:
 * metric and label names are valid; every family has one TYPE (and at most one HELP) before
 * its samples, and its samples are contiguous (a family exported twice fails); sample names
 * fit the family's type (counter samples end in {@code _total}, histograms have {@code _bucket},
 * {@code _sum}, {@code _count}); no series appears twice; label values are correctly escaped;
 * values are numbers; counters and histogram counts are not negative; histogram buckets are
 * cumulative and end with {@code le="+Inf"} equal to {@code _count}.
 */
final class PromText {
    static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    record Sample(String name, Map<String, String> labels, double value) {
        String label(String key) {
            return labels.get(key);
        }
    }

    record Family(String name, String type, String help, List<Sample> samples) {
        /** The samples called {@code sampleName} whose labels include {@code match}. */
        List<Sample> find(String sampleName, Map<String, String> match) {
            List<Sample> out = new ArrayList<>();
            for (Sample s : samples) {
                if (s.name().equals(sampleName) && s.labels().entrySet().containsAll(match.entrySet())) {
                    out.add(s);
                }
            }
            return out;
        }
    }

    /** Thrown for any deviation, naming the line. */
    static final class ParseException extends RuntimeException {
        ParseException(int line, String why) {
            super("line " + line + ": " + why);
        }
    }

    private PromText() {
    }

    /** Families by name, in exposition order. */
    static Map<String, Family> parse(String text) {
        Map<String, Family> families = new LinkedHashMap<>();
        Map<String, String> helps = new TreeMap<>();
        Set<String> closed = new HashSet<>();
        Set<String> series = new HashSet<>();
        Family current = null;
        String[] lines = text.split("\n", -1);
        if (!text.endsWith("\n")) {
            throw new ParseException(lines.length, "the exposition must end with a newline");
        }
        for (int i = 0; i < lines.length - 1; i++) {
            int n = i + 1;
            String line = lines[i];
            if (line.isEmpty()) {
                throw new ParseException(n, "empty line");
            }
            if (line.startsWith("# HELP ")) {
                String[] p = line.substring(7).split(" ", 2);
                checkName(n, p[0]);
                if (helps.put(p[0], p.length > 1 ? p[1] : "") != null) {
                    throw new ParseException(n, "second HELP for " + p[0]);
                }
                continue;
            }
            if (line.startsWith("# TYPE ")) {
                String[] p = line.substring(7).split(" ");
                if (p.length != 2 || !TYPES.contains(p[1])) {
                    throw new ParseException(n, "bad TYPE line: " + line);
                }
                checkName(n, p[0]);
                if (families.containsKey(p[0])) {
                    throw new ParseException(n, "family " + p[0] + " exported twice");
                }
                if (current != null) {
                    closed.add(current.name());
                }
                current = new Family(p[0], p[1], null, new ArrayList<>());
                families.put(p[0], current);
                continue;
            }
            if (line.startsWith("#")) {
                continue; // a comment
            }
            Sample s = sample(n, line);
            if (current == null || !belongs(current, s.name())) {
                throw new ParseException(n, "sample " + s.name() + " outside its family's block (or of no family)");
            }
            if (!series.add(s.name() + s.labels())) {
                throw new ParseException(n, "series " + s.name() + s.labels() + " appears twice");
            }
            if ((current.type().equals("counter") || s.name().endsWith("_count") || s.name().endsWith("_bucket"))
                    && (s.value() < 0 || Double.isNaN(s.value()))) {
                throw new ParseException(n, "negative or NaN count: " + line);
            }
            current.samples().add(s);
        }
        Map<String, Family> out = new LinkedHashMap<>();
        for (Family f : families.values()) {
            if (f.type().equals("histogram")) {
                checkHistogram(f);
            }
            out.put(f.name(), new Family(f.name(), f.type(), helps.get(f.name()), List.copyOf(f.samples())));
        }
        for (String h : helps.keySet()) {
            if (!families.containsKey(h)) {
                throw new ParseException(0, "HELP for " + h + " without a TYPE");
            }
        }
        return out;
    }

    private static boolean belongs(Family f, String sample) {
        String b = f.name();
        return switch (f.type()) {
            // Text format 0.0.4 names a counter family with its _total (OpenMetrics without).
            case "counter" -> b.endsWith("_total") ? sample.equals(b)
                    || sample.equals(b.substring(0, b.length() - "_total".length()) + "_created")
                    : sample.equals(b + "_total") || sample.equals(b + "_created");
            case "histogram" -> sample.equals(b + "_bucket") || sample.equals(b + "_sum")
                    || sample.equals(b + "_count") || sample.equals(b + "_created");
            case "summary" -> sample.equals(b) || sample.equals(b + "_sum") || sample.equals(b + "_count")
                    || sample.equals(b + "_created");
            default -> sample.equals(b);
        };
    }

    private static void checkHistogram(Family f) {
        Map<Map<String, String>, List<Sample>> buckets = new LinkedHashMap<>();
        Map<Map<String, String>, Double> counts = new LinkedHashMap<>();
        for (Sample s : f.samples()) {
            Map<String, String> key = new TreeMap<>(s.labels());
            key.remove("le");
            if (s.name().endsWith("_bucket")) {
                if (!s.labels().containsKey("le")) {
                    throw new ParseException(0, f.name() + " bucket without le: " + s);
                }
                buckets.computeIfAbsent(key, k -> new ArrayList<>()).add(s);
            } else if (s.name().endsWith("_count")) {
                counts.put(key, s.value());
            }
        }
        buckets.forEach((key, list) -> {
            double lastLe = Double.NEGATIVE_INFINITY;
            double lastValue = 0;
            for (Sample b : list) {
                double le = parseValue(0, b.label("le"));
                if (le <= lastLe || b.value() < lastValue) {
                    throw new ParseException(0, f.name() + key + " buckets not ascending and cumulative at le="
                            + b.label("le"));
                }
                lastLe = le;
                lastValue = b.value();
            }
            if (lastLe != Double.POSITIVE_INFINITY) {
                throw new ParseException(0, f.name() + key + " has no le=\"+Inf\" bucket");
            }
            Double count = counts.get(key);
            if (count == null || count != lastValue) {
                throw new ParseException(0, f.name() + key + " _count " + count + " != +Inf bucket " + lastValue);
            }
        });
    }

    private static Sample sample(int n, String line) {
        int brace = line.indexOf('{');
        int space = line.indexOf(' ');
        if (space < 0) {
            throw new ParseException(n, "sample without a value: " + line);
        }
        String name;
        Map<String, String> labels = new TreeMap<>();
        String rest;
        if (brace >= 0 && brace < space) {
            name = line.substring(0, brace);
            int i = brace + 1;
            while (line.charAt(i) != '}') {
                int eq = line.indexOf('=', i);
                if (eq < 0 || line.charAt(eq + 1) != '"') {
                    throw new ParseException(n, "bad label in " + line);
                }
                String label = line.substring(i, eq);
                if (!LABEL_NAME.matcher(label).matches() || label.startsWith("__")) {
                    throw new ParseException(n, "invalid label name '" + label + "'");
                }
                StringBuilder value = new StringBuilder();
                int j = eq + 2;
                for (; line.charAt(j) != '"'; j++) {
                    char c = line.charAt(j);
                    if (c == '\\') {
                        char e = line.charAt(++j);
                        switch (e) {
                            case '\\' -> value.append('\\');
                            case '"' -> value.append('"');
                            case 'n' -> value.append('\n');
                            default -> throw new ParseException(n, "bad escape \\" + e + " in " + line);
                        }
                    } else {
                        value.append(c);
                    }
                }
                if (labels.put(label, value.toString()) != null) {
                    throw new ParseException(n, "label " + label + " twice in " + line);
                }
                i = j + 1;
                if (line.charAt(i) == ',') {
                    i++;
                } else if (line.charAt(i) != '}') {
                    throw new ParseException(n, "expected , or } in " + line);
                }
            }
            if (line.charAt(i + 1) != ' ') {
                throw new ParseException(n, "expected a space after the labels in " + line);
            }
            rest = line.substring(i + 2);
        } else {
            name = line.substring(0, space);
            rest = line.substring(space + 1);
        }
        checkName(n, name);
        String[] parts = rest.split(" ");
        if (parts.length > 2) {
            throw new ParseException(n, "trailing text in " + line);
        }
        if (parts.length == 2) {
            try {
                Long.parseLong(parts[1]);
            } catch (NumberFormatException e) {
                throw new ParseException(n, "bad timestamp in " + line);
            }
        }
        return new Sample(name, Map.copyOf(labels), parseValue(n, parts[0]));
    }

    private static double parseValue(int n, String v) {
        return switch (v) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> {
                try {
                    yield Double.parseDouble(v);
                } catch (NumberFormatException e) {
                    throw new ParseException(n, "bad value '" + v + "'");
                }
            }
        };
    }

    private static void checkName(int n, String name) {
        if (!METRIC_NAME.matcher(name).matches()) {
            throw new ParseException(n, "invalid metric name '" + name + "'");
        }
    }
}
