package io.kvorum.server.http;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.time.Duration;
import java.util.Set;

/**
 * One service instance of the catalog, as stored: the JSON of node
 * {@code /services/<name>/<id>}, the layout and fields of the Java client's ServiceRegistry
 * recipe ({@code name, id, address, port, weight, tags, metadata}) plus the catalog's own
 * optional fields: {@code datacenter}; {@code check} ({@code type} http or tcp, {@code target},
 * {@code intervalMillis}, {@code timeoutMillis}, {@code deregisterAfterMillis}); {@code status}
 * (passing or critical; absent means passing: an instance without checks, or one the Java
 * recipe registered), {@code statusSinceMillis} and {@code output} (why the last check failed).
 * A TTL check is a session: the instance node is ephemeral, owned by it, and gone once the
 * service stops keeping it alive.
 */
final class CatalogEntry {
    static final String BASE = "/services";
    static final Set<String> REGISTRATION_FIELDS = Set.of("address", "port", "weight", "tags", "metadata",
            "datacenter", "check", "session");
    static final Set<String> CHECK_FIELDS = Set.of("http", "tcp", "ttl", "interval", "timeout", "deregisterAfter");
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

    private CatalogEntry() {
    }

    static String servicePath(String name) {
        return BASE + "/" + name;
    }

    static String instancePath(String name, String id) {
        return servicePath(name) + "/" + id;
    }

    /** What a registration asks for: the stored JSON and, for a TTL check, the session TTL. */
    record Registration(JsonObject stored, Duration ttl, long session) {
    }

    /**
     * Checks a registration body and builds what is stored. HTTP and TCP checks start critical
     * (nothing was checked yet); an instance without one is passing.
     */
    static Registration parse(String name, String id, JsonObject body, long nowMillis) {
        String what = "registration";
        for (String key : body.keySet()) {
            if (!REGISTRATION_FIELDS.contains(key)) {
                throw HttpProblem.invalid(what + " has an unknown field " + HttpCall.quote(key) + "; known: "
                        + String.join(", ", new java.util.TreeSet<>(REGISTRATION_FIELDS)));
            }
        }
        String address = Json.string(body, "address", what);
        if (address == null || address.isBlank()) {
            throw HttpProblem.invalid(what + ".address is required: the host name or IP clients connect to");
        }
        long port = Json.integer(body, "port", -1, what);
        if (port < 0 || port > 65535) {
            throw HttpProblem.invalid(what + ".port must be a TCP port (0-65535), got " + port);
        }
        long weight = Json.integer(body, "weight", 1, what);
        if (weight <= 0 || weight > Integer.MAX_VALUE) {
            throw HttpProblem.invalid(what + ".weight must be positive, got " + weight);
        }
        JsonObject out = new JsonObject();
        out.addProperty("name", name);
        out.addProperty("id", id);
        out.addProperty("address", address);
        out.addProperty("port", port);
        out.addProperty("weight", weight);
        out.add("tags", strings(body.get("tags"), what + ".tags"));
        out.add("metadata", stringMap(body.get("metadata"), what + ".metadata"));
        String dc = Json.string(body, "datacenter", what);
        if (dc != null) {
            out.addProperty("datacenter", dc);
        }
        long session = Json.integer(body, "session", 0, what);
        Duration ttl = null;
        JsonElement c = body.get("check");
        if (c != null && !c.isJsonNull()) {
            if (!c.isJsonObject()) {
                throw HttpProblem.invalid(what + ".check must be an object, got " + Json.kind(c));
            }
            JsonObject check = c.getAsJsonObject();
            for (String key : check.keySet()) {
                if (!CHECK_FIELDS.contains(key)) {
                    throw HttpProblem.invalid(what + ".check has an unknown field " + HttpCall.quote(key)
                            + "; known: " + String.join(", ", new java.util.TreeSet<>(CHECK_FIELDS)));
                }
            }
            String http = Json.string(check, "http", what + ".check");
            String tcp = Json.string(check, "tcp", what + ".check");
            String ttlText = Json.string(check, "ttl", what + ".check");
            int kinds = (http != null ? 1 : 0) + (tcp != null ? 1 : 0) + (ttlText != null ? 1 : 0);
            if (kinds != 1) {
                throw HttpProblem.invalid(what + ".check needs exactly one of http (a URL), tcp (host:port) or "
                        + "ttl (a duration)");
            }
            if (ttlText != null) {
                ttl = Durations.parse(ttlText, what + ".check.ttl");
            } else {
                JsonObject stored = new JsonObject();
                stored.addProperty("type", http != null ? "http" : "tcp");
                stored.addProperty("target", http != null ? http : tcp);
                if (http != null && !(http.startsWith("http://") || http.startsWith("https://"))) {
                    throw HttpProblem.invalid(what + ".check.http must be an http:// or https:// URL, got "
                            + HttpCall.quote(http));
                }
                if (tcp != null) {
                    HealthChecker.socketAddress(tcp, what + ".check.tcp");
                }
                stored.addProperty("intervalMillis", duration(check, "interval", DEFAULT_INTERVAL, what).toMillis());
                stored.addProperty("timeoutMillis", duration(check, "timeout", DEFAULT_TIMEOUT, what).toMillis());
                stored.addProperty("deregisterAfterMillis", duration(check, "deregisterAfter", Duration.ZERO, what)
                        .toMillis());
                out.add("check", stored);
                out.addProperty("status", "critical");
                out.addProperty("statusSinceMillis", nowMillis);
                out.addProperty("output", "not checked yet");
            }
        }
        if (!out.has("status")) {
            out.addProperty("status", "passing");
        }
        return new Registration(out, ttl, session);
    }

    private static Duration duration(JsonObject check, String field, Duration absent, String what) {
        String v = Json.string(check, field, what + ".check");
        Duration d = v == null ? absent : Durations.parse(v, what + ".check." + field);
        if (!field.equals("deregisterAfter") && d.isZero()) {
            throw HttpProblem.invalid(what + ".check." + field + " must be more than 0");
        }
        return d;
    }

    private static JsonArray strings(JsonElement e, String what) {
        JsonArray out = new JsonArray();
        if (e == null || e.isJsonNull()) {
            return out;
        }
        if (!e.isJsonArray()) {
            throw HttpProblem.invalid(what + " must be an array of strings, got " + Json.kind(e));
        }
        for (JsonElement x : e.getAsJsonArray()) {
            if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isString()) {
                throw HttpProblem.invalid(what + " must hold strings only, got " + Json.kind(x));
            }
            out.add(x.getAsString());
        }
        return out;
    }

    private static JsonObject stringMap(JsonElement e, String what) {
        JsonObject out = new JsonObject();
        if (e == null || e.isJsonNull()) {
            return out;
        }
        if (!e.isJsonObject()) {
            throw HttpProblem.invalid(what + " must be an object of strings, got " + Json.kind(e));
        }
        for (var m : e.getAsJsonObject().entrySet()) {
            JsonElement v = m.getValue();
            if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
                throw HttpProblem.invalid(what + "." + m.getKey() + " must be a string, got " + Json.kind(v));
            }
            out.addProperty(m.getKey(), v.getAsString());
        }
        return out;
    }

    /** An instance's status: passing unless it says critical (the Java recipe's entries say nothing). */
    static String status(JsonObject stored) {
        JsonElement s = stored.get("status");
        return s != null && s.isJsonPrimitive() && s.getAsString().equals("critical") ? "critical" : "passing";
    }

    /** A stored entry, or null when the bytes are not one (not JSON, not an object). */
    static JsonObject read(byte[] data) {
        try {
            return Json.parseObject(data, "catalog entry");
        } catch (HttpProblem notAnEntry) {
            return null;
        }
    }
}
