package io.kvorum.jepsen.history;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.Strictness;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * History lines, verdicts and reports as JSON, on Gson. Reading is strict (RFC 8259 through
 * Gson's STRICT mode, and more): objects become {@link LinkedHashMap}s, and a repeated name is
 * an error rather than "last wins", so a history line can never say two things; arrays become
 * {@link List}s, integers {@link Long} (one that does not fit is an error rather than a silently
 * rounded double), other numbers {@link Double}, and {@code true}/{@code false}/{@code null}
 * themselves. Writing takes the same kinds of values back to compact JSON, so both round-trip;
 * a NaN or infinite double, which JSON cannot hold, is written as null.
 */
public final class Json {
    private static final Gson GSON = new GsonBuilder()
            .disableHtmlEscaping()
            .serializeNulls()
            .registerTypeAdapter(Double.class, new FiniteDouble())
            .create();

    private Json() {
    }

    /** Parses exactly one value; anything but whitespace after it is an error. */
    public static Object parse(String text) {
        try (JsonReader r = new JsonReader(new StringReader(text))) {
            r.setStrictness(Strictness.STRICT);
            Object v = value(r);
            if (r.peek() != JsonToken.END_DOCUMENT) {
                throw new JsonException("unexpected text after the value at " + r.getPath());
            }
            return v;
        } catch (IOException | IllegalStateException e) {
            // Gson reports malformed input as MalformedJsonException (an IOException) or, for a
            // token of the wrong kind, IllegalStateException; both name the line and column.
            throw new JsonException(e.getMessage());
        }
    }

    /** Compact JSON for maps, lists, strings, numbers, booleans and null. */
    public static String write(Object v) {
        return GSON.toJson(v);
    }

    private static Object value(JsonReader r) throws IOException {
        switch (r.peek()) {
            case BEGIN_OBJECT -> {
                Map<String, Object> out = new LinkedHashMap<>();
                r.beginObject();
                while (r.hasNext()) {
                    String name = r.nextName();
                    if (out.containsKey(name)) {
                        throw new JsonException("field \"" + name + "\" appears twice at " + r.getPath());
                    }
                    out.put(name, value(r));
                }
                r.endObject();
                return out;
            }
            case BEGIN_ARRAY -> {
                List<Object> out = new ArrayList<>();
                r.beginArray();
                while (r.hasNext()) {
                    out.add(value(r));
                }
                r.endArray();
                return out;
            }
            case STRING -> {
                return r.nextString();
            }
            case NUMBER -> {
                return number(r.nextString(), r);
            }
            case BOOLEAN -> {
                return r.nextBoolean();
            }
            case NULL -> {
                r.nextNull();
                return null;
            }
            default -> throw new JsonException("unexpected " + r.peek() + " at " + r.getPath());
        }
    }

    private static Object number(String text, JsonReader r) {
        if (text.indexOf('.') < 0 && text.indexOf('e') < 0 && text.indexOf('E') < 0) {
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw new JsonException("integer " + text + " does not fit in 64 bits at " + r.getPath());
            }
        }
        return Double.parseDouble(text);
    }

    /** Doubles as JSON numbers, and the ones JSON has no number for as null. */
    private static final class FiniteDouble extends TypeAdapter<Double> {
        @Override
        public void write(JsonWriter out, Double d) throws IOException {
            if (d == null || d.isNaN() || d.isInfinite()) {
                out.nullValue();
            } else {
                out.value(d.doubleValue());
            }
        }

        @Override
        public Double read(JsonReader in) {
            throw new UnsupportedOperationException("Json.parse reads numbers");
        }
    }

    /** Malformed JSON; the message says what and where. */
    public static final class JsonException extends RuntimeException {
        JsonException(String problem) {
            super(problem);
        }
    }
}
