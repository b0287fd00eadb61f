package io.kvorum.server.http;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.protobuf.ByteString;
import io.kvorum.proto.v1.Event;
import io.kvorum.proto.v1.Stat;
import io.kvorum.server.api.ApiError;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The JSON shapes of the HTTP API (docs/http-api.yaml describes them): node data as base64
 * {@code data} plus, when the bytes are UTF-8, the same as {@code text}; stats with the
 * proto's field names in camelCase; errors as {@code {"error": {code, reason, message,
 * metadata}}}. Numbers are JSON numbers (revisions, versions and session ids stay below 2^53
 * in any real cluster: they count log entries).
 */
final class Json {
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    private Json() {
    }

    static byte[] bytes(JsonElement e) {
        return GSON.toJson(e).getBytes(StandardCharsets.UTF_8);
    }

    static JsonObject stat(Stat s) {
        JsonObject o = new JsonObject();
        o.addProperty("createRevision", s.getCreateRevision());
        o.addProperty("modRevision", s.getModRevision());
        o.addProperty("version", s.getVersion());
        o.addProperty("childrenVersion", s.getChildrenVersion());
        o.addProperty("ephemeralOwner", s.getEphemeralOwner());
        o.addProperty("dataLength", s.getDataLength());
        o.addProperty("numChildren", s.getNumChildren());
        o.addProperty("ctimeMillis", s.getCtimeMillis());
        o.addProperty("mtimeMillis", s.getMtimeMillis());
        o.addProperty("mode", s.getMode().name());
        o.addProperty("ttlMillis", s.getTtlMillis());
        return o;
    }

    /** Adds {@code data} (base64) and, when the bytes are UTF-8, {@code text}. */
    static void addData(JsonObject o, ByteString data) {
        o.addProperty("data", Base64.getEncoder().encodeToString(data.toByteArray()));
        String text = utf8(data.toByteArray());
        if (text != null) {
            o.addProperty("text", text);
        }
    }

    static JsonObject event(Event e) {
        JsonObject o = new JsonObject();
        o.addProperty("type", e.getType().name());
        o.addProperty("path", e.getPath());
        o.addProperty("revision", e.getRevision());
        if (e.getType() == Event.Type.CREATED || e.getType() == Event.Type.CHANGED) {
            addData(o, e.getData());
        }
        if (e.hasStat()) {
            o.add("stat", stat(e.getStat()));
        }
        return o;
    }

    static JsonObject error(ApiError e) {
        JsonObject inner = new JsonObject();
        inner.addProperty("code", e.code());
        inner.addProperty("reason", e.reason().name());
        inner.addProperty("message", e.message());
        JsonObject meta = new JsonObject();
        e.metadata().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
                .forEach(m -> meta.addProperty(m.getKey(), m.getValue()));
        inner.add("metadata", meta);
        JsonObject o = new JsonObject();
        o.add("error", inner);
        return o;
    }

    /** {@code bytes} as a JSON object; 400 naming {@code what} when they are not one. */
    static JsonObject parseObject(byte[] bytes, String what) {
        String text = utf8(bytes);
        if (text == null) {
            throw HttpProblem.invalid(what + " is not UTF-8");
        }
        JsonElement e;
        try {
            // Strict: a lenient parser would take unquoted words and trailing junk for JSON.
            JsonReader reader = new JsonReader(new StringReader(text));
            reader.setStrictness(Strictness.STRICT);
            e = JsonParser.parseReader(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new JsonParseException("more data after the JSON value");
            }
        } catch (JsonParseException | IOException ex) {
            throw HttpProblem.invalid(what + " is not valid JSON: " + rootMessage(ex));
        }
        if (!e.isJsonObject()) {
            throw HttpProblem.invalid(what + " must be a JSON object, got " + (text.isBlank() ? "nothing" : kind(e)));
        }
        return e.getAsJsonObject();
    }

    /**
     * Node data from a JSON object: {@code text} (UTF-8) or {@code data} (base64), at most one;
     * neither means empty data.
     */
    static ByteString data(JsonObject o, String what) {
        boolean hasText = o.has("text") && !o.get("text").isJsonNull();
        boolean hasData = o.has("data") && !o.get("data").isJsonNull();
        if (hasText && hasData) {
            throw HttpProblem.invalid(what + " has both text and data: give the value once, as text (UTF-8) or "
                    + "data (base64)");
        }
        if (hasText) {
            return ByteString.copyFromUtf8(string(o, "text", what));
        }
        if (hasData) {
            try {
                return ByteString.copyFrom(Base64.getDecoder().decode(string(o, "data", what)));
            } catch (IllegalArgumentException e) {
                throw HttpProblem.invalid(what + ".data is not valid base64: " + e.getMessage());
            }
        }
        return ByteString.EMPTY;
    }

    /** A string field; null when absent. */
    static String string(JsonObject o, String field, String what) {
        JsonElement e = o.get(field);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw HttpProblem.invalid(what + "." + field + " must be a string, got " + kind(e));
        }
        return e.getAsString();
    }

    /** An integer field; {@code absent} when absent. */
    static long integer(JsonObject o, String field, long absent, String what) {
        JsonElement e = o.get(field);
        if (e == null || e.isJsonNull()) {
            return absent;
        }
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
            JsonPrimitive p = e.getAsJsonPrimitive();
            try {
                return p.getAsBigDecimal().longValueExact();
            } catch (ArithmeticException ex) {
                // the error below
            }
        }
        throw HttpProblem.invalid(what + "." + field + " must be an integer, got " + e);
    }

    static String kind(JsonElement e) {
        if (e.isJsonObject()) {
            return "an object";
        }
        if (e.isJsonArray()) {
            return "an array";
        }
        if (e.isJsonNull()) {
            return "null";
        }
        JsonPrimitive p = e.getAsJsonPrimitive();
        return p.isString() ? "a string" : p.isNumber() ? "a number" : "a boolean";
    }

    /** The bytes as a string when they are valid UTF-8, else null. */
    static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable e = t;
        while (e.getCause() != null) {
            e = e.getCause();
        }
        return e.getMessage();
    }
}
