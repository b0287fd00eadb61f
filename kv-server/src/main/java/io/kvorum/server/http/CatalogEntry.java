package io.kvorum.server.http;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One service instance of the catalog, as stored: the JSON of node
 * {@code /services/<name>/<id>}, the layout and fields of the Java client's ServiceRegistry
 * recipe ({@code name, id, address, port, weight, tags, metadata}) plus the catalog's own
 * optional fields: {@code datacenter}; {@code checks}, each {@code {id, type (http, tcp or
 * ttl), target (http, tcp), intervalMillis, timeoutMillis (http, tcp), ttlMillis, session
 * (ttl), deregisterAfterMillis, status, statusSinceMillis, output}}; and {@code status}, the
 * instance's status: the worst of its checks' (passing, then warning, then critical), written
 * with every check change so that readers that know no checks (older recipes) still see it.
 * An instance without checks is passing.
 *
 * <p>A TTL check is alive while its {@code session} lives: the service reports in by keeping it
 * alive (or by reporting a status, which also keeps it alive); once it expires the check is
 * critical until the next report, which opens a new session.
 */
final class CatalogEntry {
    static final String BASE = "/services";
    static final String PASSING = "passing";
    static final String WARNING = "warning";
    static final String CRITICAL = "critical";
    /** Statuses from best to worst: an instance's is the worst of its checks'. */
    static final List<String> STATUSES = List.of(PASSING, WARNING, CRITICAL);
    static final Set<String> REGISTRATION_FIELDS = Set.of("address", "port", "weight", "tags", "metadata",
            "datacenter", "check", "checks", "session");
    static final Set<String> CHECK_FIELDS = Set.of("id", "http", "tcp", "ttl", "interval", "timeout",
            "deregisterAfter", "status");
    /** The output of an HTTP or TCP check until its first result. */
    static final String NOT_CHECKED = "not checked yet";
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

    /** What a registration asks for: the stored JSON and the caller's own session (0: none). */
    record Registration(JsonObject stored, long session) {
        /** The TTL checks, whose sessions the registration opens. */
        List<JsonObject> ttlChecks() {
            return checks(stored).stream().filter(c -> type(c).equals("ttl")).toList();
        }
    }

    /**
     * Checks a registration body and builds what is stored. HTTP and TCP checks start critical
     * (nothing was checked yet), TTL checks passing (registering is their first report), unless
     * the check names its initial {@code status}; an instance without checks is passing.
     */
    static Registration parse(String name, String id, JsonObject body, long nowMillis) {
        String what = "registration";
        unknownFields(body, REGISTRATION_FIELDS, what);
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
        List<JsonObject> defs = checkDefinitions(body, what);
        List<String> types = new ArrayList<>();
        Map<String, Integer> perType = new HashMap<>();
        for (int i = 0; i < defs.size(); i++) {
            types.add(definedType(defs.get(i), what + ".checks[" + i + "]"));
            perType.merge(types.get(i), 1, Integer::sum);
        }
        Map<String, Integer> seenOfType = new HashMap<>();
        Set<String> ids = new HashSet<>();
        JsonArray checks = new JsonArray();
        for (int i = 0; i < defs.size(); i++) {
            String w = what + ".checks[" + i + "]";
            JsonObject def = defs.get(i);
            String type = types.get(i);
            int n = seenOfType.merge(type, 1, Integer::sum);
            String checkId = Json.string(def, "id", w);
            if (checkId == null) {
                // Default ids: the type ("ttl"), numbered when a type occurs more than once ("http-2").
                checkId = perType.get(type) == 1 ? type : type + "-" + n;
            }
            if (checkId.isEmpty() || checkId.contains("/") || !ids.add(checkId)) {
                throw HttpProblem.invalid(w + ".id " + HttpCall.quote(checkId) + " must be a non-empty path "
                        + "segment, unique among the instance's checks");
            }
            checks.add(check(def, checkId, type, w, nowMillis));
        }
        if (!checks.isEmpty()) {
            out.add("checks", checks);
        }
        out.addProperty("status", worst(out));
        return new Registration(out, session);
    }

    /** The check definitions of a body: {@code check} (one) or {@code checks} (a list), not both. */
    private static List<JsonObject> checkDefinitions(JsonObject body, String what) {
        JsonElement one = body.get("check");
        JsonElement many = body.get("checks");
        boolean hasOne = one != null && !one.isJsonNull();
        boolean hasMany = many != null && !many.isJsonNull();
        if (hasOne && hasMany) {
            throw HttpProblem.invalid(what + " has both check and checks: list every check in checks");
        }
        List<JsonObject> out = new ArrayList<>();
        if (hasOne) {
            out.add(object(one, what + ".check"));
        } else if (hasMany) {
            if (!many.isJsonArray()) {
                throw HttpProblem.invalid(what + ".checks must be an array of objects, got " + Json.kind(many));
            }
            for (JsonElement e : many.getAsJsonArray()) {
                out.add(object(e, what + ".checks[" + out.size() + "]"));
            }
        }
        return out;
    }

    private static JsonObject object(JsonElement e, String what) {
        if (!e.isJsonObject()) {
            throw HttpProblem.invalid(what + " must be an object, got " + Json.kind(e));
        }
        unknownFields(e.getAsJsonObject(), CHECK_FIELDS, what);
        return e.getAsJsonObject();
    }

    private static String definedType(JsonObject def, String what) {
        String http = Json.string(def, "http", what);
        String tcp = Json.string(def, "tcp", what);
        String ttl = Json.string(def, "ttl", what);
        if ((http != null ? 1 : 0) + (tcp != null ? 1 : 0) + (ttl != null ? 1 : 0) != 1) {
            throw HttpProblem.invalid(what + " needs exactly one of http (a URL), tcp (host:port) or ttl (a duration)");
        }
        return http != null ? "http" : tcp != null ? "tcp" : "ttl";
    }

    private static JsonObject check(JsonObject def, String checkId, String type, String what, long nowMillis) {
        JsonObject stored = new JsonObject();
        stored.addProperty("id", checkId);
        stored.addProperty("type", type);
        String initial = Json.string(def, "status", what);
        if (type.equals("ttl")) {
            if (def.has("interval") || def.has("timeout")) {
                throw HttpProblem.invalid(what + " is a ttl check: the service reports in, so it has no interval "
                        + "or timeout");
            }
            stored.addProperty("ttlMillis", positive(Durations.parse(Json.string(def, "ttl", what), what + ".ttl"),
                    what + ".ttl").toMillis());
            stored.addProperty("session", 0);
        } else {
            String target = Json.string(def, type, what);
            if (type.equals("http") && !(target.startsWith("http://") || target.startsWith("https://"))) {
                throw HttpProblem.invalid(what + ".http must be an http:// or https:// URL, got " + HttpCall.quote(target));
            }
            if (type.equals("tcp")) {
                HealthChecker.socketAddress(target, what + ".tcp");
            }
            stored.addProperty("target", target);
            stored.addProperty("intervalMillis", positive(duration(def, "interval", DEFAULT_INTERVAL, what),
                    what + ".interval").toMillis());
            stored.addProperty("timeoutMillis", positive(duration(def, "timeout", DEFAULT_TIMEOUT, what),
                    what + ".timeout").toMillis());
        }
        stored.addProperty("deregisterAfterMillis", duration(def, "deregisterAfter", Duration.ZERO, what).toMillis());
        String status = initial != null ? parseStatus(initial, what + ".status")
                : type.equals("ttl") ? PASSING : CRITICAL;
        stored.addProperty("status", status);
        stored.addProperty("statusSinceMillis", nowMillis);
        stored.addProperty("output", initial != null || type.equals("ttl") ? "" : NOT_CHECKED);
        return stored;
    }

    private static Duration duration(JsonObject def, String field, Duration absent, String what) {
        String v = Json.string(def, field, what);
        return v == null ? absent : Durations.parse(v, what + "." + field);
    }

    private static Duration positive(Duration d, String what) {
        if (d.isZero()) {
            throw HttpProblem.invalid(what + " must be more than 0");
        }
        return d;
    }

    /** A status a client names: passing, warning or critical; 400 otherwise. */
    static String parseStatus(String s, String what) {
        if (!STATUSES.contains(s)) {
            throw HttpProblem.invalid(what + " must be passing, warning or critical, got " + HttpCall.quote(s));
        }
        return s;
    }

    private static void unknownFields(JsonObject o, Set<String> known, String what) {
        for (String key : o.keySet()) {
            if (!known.contains(key)) {
                throw HttpProblem.invalid(what + " has an unknown field " + HttpCall.quote(key) + "; known: "
                        + String.join(", ", new TreeSet<>(known)));
            }
        }
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

    /**
     * The entry's checks (none for an instance without, or one the Java recipe registered
     * without); a check without a string id and type (a hand-written entry) is not one.
     */
    static List<JsonObject> checks(JsonObject entry) {
        List<JsonObject> out = new ArrayList<>();
        if (entry.get("checks") instanceof JsonArray a) {
            for (JsonElement e : a) {
                if (e.isJsonObject() && text(e.getAsJsonObject(), "id") != null
                        && text(e.getAsJsonObject(), "type") != null) {
                    out.add(e.getAsJsonObject());
                }
            }
        }
        return out;
    }

    /** A stored string field, or null when it is absent or not a string (entries may be written by hand). */
    static String text(JsonObject o, String field) {
        return o.get(field) instanceof JsonPrimitive p && p.isString() ? p.getAsString() : null;
    }

    /** A stored integer field, or null when it is absent or not a number. */
    static Long number(JsonObject o, String field) {
        return o.get(field) instanceof JsonPrimitive p && p.isNumber() ? p.getAsLong() : null;
    }

    static JsonObject check(JsonObject entry, String checkId) {
        for (JsonObject c : checks(entry)) {
            if (c.get("id").getAsString().equals(checkId)) {
                return c;
            }
        }
        return null;
    }

    static String type(JsonObject check) {
        return check.get("type").getAsString();
    }

    /** A TTL check's session (0: none yet). */
    static long session(JsonObject check) {
        JsonElement s = check.get("session");
        return s != null && s.isJsonPrimitive() && s.getAsJsonPrimitive().isNumber() ? s.getAsLong() : 0;
    }

    /** A check's status; one that names none known counts as critical (nothing says it is well). */
    static String checkStatus(JsonObject check) {
        JsonElement s = check.get("status");
        return s != null && s.isJsonPrimitive() && STATUSES.contains(s.getAsString()) ? s.getAsString() : CRITICAL;
    }

    private static String statusOf(JsonElement s) {
        return s != null && s.isJsonPrimitive() && STATUSES.contains(s.getAsString()) ? s.getAsString() : PASSING;
    }

    /**
     * The instance's status: the worst of its checks'; without checks, its {@code status} field
     * (absent in the Java recipe's plain entries: passing).
     */
    static String status(JsonObject entry) {
        List<JsonObject> checks = checks(entry);
        if (checks.isEmpty()) {
            return statusOf(entry.get("status"));
        }
        return worst(entry);
    }

    private static String worst(JsonObject entry) {
        int worst = 0;
        for (JsonObject c : checks(entry)) {
            worst = Math.max(worst, STATUSES.indexOf(checkStatus(c)));
        }
        return STATUSES.get(worst);
    }

    /**
     * Sets one check's status and output (since-when only when the status changes) and the
     * instance's status; whether anything changed, i.e. whether the entry must be written.
     */
    static boolean record(JsonObject entry, JsonObject check, String status, String output, long nowMillis) {
        boolean changed = false;
        if (!checkStatus(check).equals(status)) {
            check.addProperty("status", status);
            check.addProperty("statusSinceMillis", nowMillis);
            changed = true;
        }
        if (!output.equals(text(check, "output"))) {
            check.addProperty("output", output);
            changed = true;
        }
        entry.addProperty("status", worst(entry));
        return changed;
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
