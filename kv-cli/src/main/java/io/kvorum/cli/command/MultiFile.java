package io.kvorum.cli.command;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import io.kvorum.cli.DurationConverter;
import io.kvorum.cli.UsageError;
import io.kvorum.client.CreateMode;
import io.kvorum.client.Op;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads the operations of {@code kvorum multi} from JSON: an array of objects, each with
 * {@code "op"} and {@code "path"}:
 *
 * <pre>
 * [
 *   {"op": "check",  "path": "/b", "version": 2},
 *   {"op": "create", "path": "/a", "data": "x", "mode": "persistent"},
 *   {"op": "create", "path": "/t", "dataBase64": "AAE=", "mode": "persistent_with_ttl", "ttl": "30s"},
 *   {"op": "set",    "path": "/a", "data": "y", "version": 0},
 *   {"op": "delete", "path": "/c"}
 * ]
 * </pre>
 *
 * {@code version} is optional on check, set and delete (-1 or absent: any version). Data is
 * {@code "data"} (text, stored as UTF-8) or {@code "dataBase64"}, at most one; absent is empty.
 * {@code mode} (default persistent) is one of persistent, persistent_sequential, container,
 * persistent_with_ttl, persistent_sequential_with_ttl; the TTL modes need {@code "ttl"}
 * ("30s", "500ms") or {@code "ttlMillis"}. Ephemeral modes are refused: their nodes would
 * vanish when the command exits. Unknown fields are errors, so a typo never passes silently.
 */
final class MultiFile {
    private static final Set<String> COMMON = Set.of("op", "path");

    private MultiFile() {
    }

    static List<Op> parse(byte[] json) {
        JsonElement root;
        try {
            root = JsonParser.parseString(new String(json, StandardCharsets.UTF_8));
        } catch (JsonParseException e) {
            throw new UsageError("the multi file is not valid JSON: " + rootMessage(e));
        }
        if (!root.isJsonArray()) {
            throw new UsageError("the multi file must hold a JSON array of operations");
        }
        JsonArray array = root.getAsJsonArray();
        if (array.isEmpty()) {
            throw new UsageError("the multi file holds no operations");
        }
        List<Op> ops = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            ops.add(op(i, array.get(i)));
        }
        return ops;
    }

    private static Op op(int i, JsonElement e) {
        if (!e.isJsonObject()) {
            throw bad(i, "is not a JSON object");
        }
        JsonObject o = e.getAsJsonObject();
        String kind = string(i, o, "op", true);
        String path = string(i, o, "path", true);
        return switch (kind) {
            case "check" -> {
                allow(i, o, "version");
                yield Op.check(path, version(i, o));
            }
            case "create" -> create(i, o, path);
            case "set" -> {
                allow(i, o, "version", "data", "dataBase64");
                yield Op.set(path, data(i, o), version(i, o));
            }
            case "delete" -> {
                allow(i, o, "version");
                yield Op.delete(path, version(i, o));
            }
            default -> throw bad(i, "has unknown op '" + kind + "' (use check, create, set or delete)");
        };
    }

    private static Op create(int i, JsonObject o, String path) {
        allow(i, o, "data", "dataBase64", "mode", "ttl", "ttlMillis");
        String m = string(i, o, "mode", false);
        CreateMode mode;
        try {
            mode = m == null ? CreateMode.PERSISTENT : CreateMode.valueOf(m.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException x) {
            throw bad(i, "has unknown mode '" + m + "'");
        }
        if (mode.isEphemeral()) {
            throw bad(i, "creates an ephemeral node, which would be deleted when kvorum exits: "
                    + "use kvorum create --ephemeral instead");
        }
        Duration ttl = ttl(i, o);
        if (mode.needsTtl() != (ttl != null)) {
            throw bad(i, mode.needsTtl() ? "needs \"ttl\" for mode " + m : "has a ttl but mode " + mode.name()
                    .toLowerCase(Locale.ROOT) + " does not use one");
        }
        Op.Create c = Op.create(path, data(i, o), mode);
        return ttl == null ? c : c.withTtl(ttl);
    }

    private static Duration ttl(int i, JsonObject o) {
        if (o.has("ttl") && o.has("ttlMillis")) {
            throw bad(i, "has both ttl and ttlMillis");
        }
        if (o.has("ttlMillis")) {
            long ms = number(i, o, "ttlMillis");
            if (ms <= 0) {
                throw bad(i, "has a ttlMillis that is not positive");
            }
            return Duration.ofMillis(ms);
        }
        String t = string(i, o, "ttl", false);
        try {
            return t == null ? null : DurationConverter.parse(t);
        } catch (RuntimeException x) {
            throw bad(i, "has a bad ttl: " + x.getMessage());
        }
    }

    private static byte[] data(int i, JsonObject o) {
        if (o.has("data") && o.has("dataBase64")) {
            throw bad(i, "has both data and dataBase64");
        }
        String b64 = string(i, o, "dataBase64", false);
        if (b64 != null) {
            try {
                return Base64.getDecoder().decode(b64);
            } catch (IllegalArgumentException x) {
                throw bad(i, "has dataBase64 that is not base64");
            }
        }
        String d = string(i, o, "data", false);
        return d == null ? new byte[0] : d.getBytes(StandardCharsets.UTF_8);
    }

    private static long version(int i, JsonObject o) {
        return o.has("version") ? number(i, o, "version") : -1;
    }

    private static void allow(int i, JsonObject o, String... fields) {
        Set<String> allowed = Set.of(fields);
        for (String k : o.keySet()) {
            if (!COMMON.contains(k) && !allowed.contains(k)) {
                throw bad(i, "has unknown field '" + k + "'");
            }
        }
    }

    private static String string(int i, JsonObject o, String field, boolean required) {
        JsonElement e = o.get(field);
        if (e == null || e.isJsonNull()) {
            if (required) {
                throw bad(i, "lacks \"" + field + "\"");
            }
            return null;
        }
        if (!(e instanceof JsonPrimitive p) || !p.isString()) {
            throw bad(i, "has a \"" + field + "\" that is not a string");
        }
        return p.getAsString();
    }

    private static long number(int i, JsonObject o, String field) {
        JsonElement e = o.get(field);
        if (!(e instanceof JsonPrimitive p) || !p.isNumber()) {
            throw bad(i, "has a \"" + field + "\" that is not a number");
        }
        try {
            return p.getAsBigDecimal().longValueExact();
        } catch (ArithmeticException x) {
            throw bad(i, "has a \"" + field + "\" that is not a whole number");
        }
    }

    private static UsageError bad(int i, String what) {
        return new UsageError("operation " + i + " of the multi file " + what);
    }

    private static String rootMessage(Throwable e) {
        while (e.getCause() != null) {
            e = e.getCause();
        }
        return e.getMessage();
    }
}
