package io.kvorum.jepsen.history;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the common envelope of every history: one JSON object per line with exactly the fields
 * process, type, f, value, time, and optionally key and error. Blank lines are skipped; all
 * else that is not such an object is a {@link HistoryException} naming the line. What f and
 * value may be is each vocabulary's business (see {@link RegisterHistory}, the checkers).
 *
 * <p>Times must not go backwards from one line to the next: the recorder writes events in the
 * order it timestamps them, and the checkers rely on file order agreeing with real time.
 */
public final class HistoryReader {
    private static final Set<String> FIELDS = Set.of("process", "type", "f", "key", "value", "time", "error");

    private HistoryReader() {
    }

    public static List<Event> read(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(r);
        }
    }

    public static List<Event> read(Reader in) throws IOException {
        BufferedReader r = in instanceof BufferedReader b ? b : new BufferedReader(in);
        List<Event> out = new ArrayList<>();
        long lastTime = Long.MIN_VALUE;
        int lineNo = 0;
        for (String line = r.readLine(); line != null; line = r.readLine()) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            Event e = parseLine(lineNo, line);
            if (e.time() < lastTime) {
                throw new HistoryException(lineNo, "time " + e.time() + " is before the previous line's " + lastTime);
            }
            lastTime = e.time();
            out.add(e);
        }
        return out;
    }

    public static List<Event> readString(String text) {
        try {
            return read(new java.io.StringReader(text));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Event parseLine(int lineNo, String line) {
        Object parsed;
        try {
            parsed = Json.parse(line);
        } catch (Json.JsonException e) {
            throw new HistoryException(lineNo, "malformed JSON: " + e.getMessage());
        }
        if (!(parsed instanceof Map<?, ?> m)) {
            throw new HistoryException(lineNo, "expected a JSON object, got " + describe(parsed));
        }
        for (Object name : m.keySet()) {
            if (!FIELDS.contains(name)) {
                throw new HistoryException(lineNo, "unknown field \"" + name + "\"");
            }
        }
        for (String required : List.of("process", "type", "f", "value", "time")) {
            if (!m.containsKey(required)) {
                throw new HistoryException(lineNo, "missing field \"" + required + "\"");
            }
        }
        long process = nonNegative(lineNo, m, "process");
        long time = nonNegative(lineNo, m, "time");
        String typeName = string(lineNo, m, "type");
        Type type = Type.of(typeName);
        if (type == null) {
            throw new HistoryException(lineNo, "unknown type \"" + typeName + "\" (expected invoke, ok, fail or info)");
        }
        String f = string(lineNo, m, "f");
        String key = m.containsKey("key") ? string(lineNo, m, "key") : null;
        String error = m.containsKey("error") ? string(lineNo, m, "error") : null;
        return new Event(lineNo, process, type, f, key, m.get("value"), time, error);
    }

    private static long nonNegative(int lineNo, Map<?, ?> m, String field) {
        Object v = m.get(field);
        if (!(v instanceof Long l) || l < 0) {
            throw new HistoryException(lineNo, "\"" + field + "\" must be a non-negative integer, got " + describe(v));
        }
        return l;
    }

    private static String string(int lineNo, Map<?, ?> m, String field) {
        Object v = m.get(field);
        if (!(v instanceof String s)) {
            throw new HistoryException(lineNo, "\"" + field + "\" must be a string, got " + describe(v));
        }
        return s;
    }

    /** How a JSON value is named in error messages. */
    public static String describe(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof String s) {
            return "the string \"" + s + "\"";
        }
        if (v instanceof Map) {
            return "an object";
        }
        if (v instanceof List) {
            return "an array " + Json.write(v);
        }
        return v.toString();
    }
}
