package io.kvorum.client.recipes;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The catalog entry's health fields, as the server's catalog (its HTTP API and health checker)
 * writes them: {@code checks}, each {@code {id, type, ..., status, statusSinceMillis, output}},
 * and {@code status}, the worst of the checks' statuses (absent in plain registrations: passing).
 * The server reads and writes the same fields; a test registers through each side and reads
 * through the other.
 */
final class CatalogJson {
    private CatalogJson() {
    }

    /** Exactly one strict JSON object: anything after it, or any leniency, is malformed. */
    static JsonObject parseObject(byte[] json) {
        String text = new String(json, StandardCharsets.UTF_8);
        JsonElement v;
        try (JsonReader r = new JsonReader(new StringReader(text))) {
            r.setStrictness(Strictness.STRICT);
            v = JsonParser.parseReader(r);
            if (r.peek() != JsonToken.END_DOCUMENT) {
                throw new IllegalArgumentException("malformed JSON: unexpected text after the value");
            }
        } catch (JsonParseException | IOException e) {
            throw new IllegalArgumentException("malformed JSON: " + e.getMessage(), e);
        }
        if (!v.isJsonObject()) {
            throw new IllegalArgumentException("a service registration is a JSON object");
        }
        return v.getAsJsonObject();
    }

    /** The entry's checks that have an id and a type (others are not the catalog's). */
    static List<JsonObject> checks(JsonObject entry) {
        List<JsonObject> out = new ArrayList<>();
        if (entry.get("checks") instanceof JsonArray a) {
            for (JsonElement e : a) {
                if (e instanceof JsonObject c && c.has("id") && c.has("type")) {
                    out.add(c);
                }
            }
        }
        return out;
    }

    static JsonObject check(JsonObject entry, String checkId) {
        for (JsonObject c : checks(entry)) {
            if (c.get("id").getAsString().equals(checkId)) {
                return c;
            }
        }
        return null;
    }

    /** A check's status; one that names none known counts as critical (nothing says it is well). */
    static HealthStatus checkStatus(JsonObject check) {
        try {
            return HealthStatus.ofWireName(check.get("status").getAsString());
        } catch (RuntimeException unknown) {
            return HealthStatus.CRITICAL;
        }
    }

    /** The instance's status: the worst of its checks'; without checks, its status field (absent: passing). */
    static HealthStatus status(JsonObject entry) {
        List<JsonObject> checks = checks(entry);
        if (checks.isEmpty()) {
            try {
                return HealthStatus.ofWireName(entry.get("status").getAsString());
            } catch (RuntimeException absent) {
                return HealthStatus.PASSING;
            }
        }
        HealthStatus worst = HealthStatus.PASSING;
        for (JsonObject c : checks) {
            worst = worst.worse(checkStatus(c));
        }
        return worst;
    }

    /**
     * Sets one check's status and output (since-when only when the status changes) and the
     * instance's status; whether anything changed.
     */
    static boolean record(JsonObject entry, JsonObject check, HealthStatus status, String output, long nowMillis) {
        boolean changed = false;
        if (checkStatus(check) != status) {
            check.addProperty("status", status.wireName());
            check.addProperty("statusSinceMillis", nowMillis);
            changed = true;
        }
        if (!check.has("output") || !check.get("output").getAsString().equals(output)) {
            check.addProperty("output", output);
            changed = true;
        }
        entry.addProperty("status", status(entry).wireName());
        return changed;
    }

    static long longField(JsonObject o, String key, long absent) {
        JsonElement v = o.get(key);
        return v != null && v.isJsonPrimitive() && v.getAsJsonPrimitive().isNumber() ? v.getAsLong() : absent;
    }
}
