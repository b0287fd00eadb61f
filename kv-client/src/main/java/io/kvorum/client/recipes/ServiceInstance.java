package io.kvorum.client.recipes;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One instance of a service, as registered under {@code /services/<name>/<id>}.
 *
 * <p>Stored as the node's data in UTF-8 JSON, so any language can read it:
 * <pre>{@code
 * {"name":"orders","id":"10.0.0.5:8080","address":"10.0.0.5","port":8080,"weight":10,
 *  "tags":["v2","canary"],"metadata":{"zone":"eu-1"}}
 * }</pre>
 * Readers ignore fields they do not know; a missing weight is 1, missing tags and metadata are
 * empty. This is also the entry format of the server's service catalog (its HTTP API and the
 * {@code kvorum service} commands), which adds {@code datacenter}, {@code checks} (the health
 * checks, each with its status) and {@code status} (the worst of the checks'): an instance
 * that is not passing is left out of discovery ({@link #isPassing}).
 *
 * @param name the service's name (a path segment: no '/')
 * @param id unique among the service's instances (a path segment); by default {@code address:port}
 * @param address host name or IP clients connect to
 * @param port the port clients connect to
 * @param weight its share of traffic under weighted balancing (positive)
 * @param tags free-form labels
 * @param metadata free-form key/value pairs
 * @param datacenter the datacenter it runs in, or null
 * @param checks its health checks, ids resolved as the catalog does; none: always passing
 */
public record ServiceInstance(String name, String id, String address, int port, int weight, List<String> tags,
                              Map<String, String> metadata, String datacenter, List<ServiceCheck> checks) {
    /** Compact, and without Gson's HTML escaping, so the bytes are what the example above shows. */
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    public ServiceInstance {
        segment(name, "name");
        segment(id, "id");
        Objects.requireNonNull(address, "address");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is not a TCP port");
        }
        if (weight <= 0) {
            throw new IllegalArgumentException("weight must be positive, not " + weight);
        }
        tags = List.copyOf(tags);
        metadata = Map.copyOf(metadata);
        checks = resolveIds(checks);
    }

    /** An instance without datacenter or checks. */
    public ServiceInstance(String name, String id, String address, int port, int weight, List<String> tags,
                           Map<String, String> metadata) {
        this(name, id, address, port, weight, tags, metadata, null, List.of());
    }

    /** An instance of weight 1 with id {@code address:port}, no tags or metadata. */
    public static ServiceInstance of(String name, String address, int port) {
        return new ServiceInstance(name, address + ":" + port, address, port, 1, List.of(), Map.of());
    }

    public ServiceInstance withId(String id) {
        return new ServiceInstance(name, id, address, port, weight, tags, metadata, datacenter, checks);
    }

    public ServiceInstance withWeight(int weight) {
        return new ServiceInstance(name, id, address, port, weight, tags, metadata, datacenter, checks);
    }

    public ServiceInstance withTags(String... tags) {
        return new ServiceInstance(name, id, address, port, weight, List.of(tags), metadata, datacenter, checks);
    }

    public ServiceInstance withMetadata(Map<String, String> metadata) {
        return new ServiceInstance(name, id, address, port, weight, tags, metadata, datacenter, checks);
    }

    public ServiceInstance withDatacenter(String datacenter) {
        return new ServiceInstance(name, id, address, port, weight, tags, metadata, datacenter, checks);
    }

    /** The same instance with these health checks (replacing any it had). */
    public ServiceInstance withChecks(ServiceCheck... checks) {
        return new ServiceInstance(name, id, address, port, weight, tags, metadata, datacenter, List.of(checks));
    }

    /**
     * Default check ids as the catalog gives them: the type's name, numbered when the instance
     * has several of a type; ids must be unique.
     */
    private static List<ServiceCheck> resolveIds(List<ServiceCheck> checks) {
        Map<ServiceCheck.Type, Integer> perType = new HashMap<>();
        checks.forEach(c -> perType.merge(c.type(), 1, Integer::sum));
        Map<ServiceCheck.Type, Integer> seen = new HashMap<>();
        Set<String> ids = new HashSet<>();
        List<ServiceCheck> out = new ArrayList<>();
        for (ServiceCheck c : checks) {
            int n = seen.merge(c.type(), 1, Integer::sum);
            String type = c.type().name().toLowerCase(Locale.ROOT);
            String id = c.id() != null ? c.id() : perType.get(c.type()) == 1 ? type : type + "-" + n;
            if (!ids.add(id)) {
                throw new IllegalArgumentException("check id '" + id + "' is used twice");
            }
            out.add(c.withId(id));
        }
        return List.copyOf(out);
    }

    /** The JSON encoding stored as the node's data, as registered now (TTL checks not reported yet). */
    public byte[] toJson() {
        return toJson(0, System.currentTimeMillis());
    }

    /**
     * The stored JSON. HTTP and TCP checks start critical (not checked yet); TTL checks passing
     * when {@code ttlSession} (non-zero) stands for their first report, else critical until one.
     */
    byte[] toJson(long ttlSession, long nowMillis) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("id", id);
        m.put("address", address);
        m.put("port", port);
        m.put("weight", weight);
        m.put("tags", tags);
        m.put("metadata", new LinkedHashMap<>(metadata));
        if (datacenter != null) {
            m.put("datacenter", datacenter);
        }
        JsonObject o = GSON.toJsonTree(m).getAsJsonObject();
        if (!checks.isEmpty()) {
            JsonArray stored = new JsonArray();
            for (ServiceCheck c : checks) {
                stored.add(storedCheck(c, ttlSession, nowMillis));
            }
            o.add("checks", stored);
            o.addProperty("status", CatalogJson.status(o).wireName());
        }
        return GSON.toJson(o).getBytes(StandardCharsets.UTF_8);
    }

    private static JsonObject storedCheck(ServiceCheck c, long ttlSession, long nowMillis) {
        JsonObject s = new JsonObject();
        s.addProperty("id", c.id());
        s.addProperty("type", c.type().name().toLowerCase(Locale.ROOT));
        HealthStatus status;
        String output;
        if (c.type() == ServiceCheck.Type.TTL) {
            s.addProperty("ttlMillis", c.ttl().toMillis());
            s.addProperty("session", ttlSession);
            status = ttlSession != 0 ? HealthStatus.PASSING : HealthStatus.CRITICAL;
            output = ttlSession != 0 ? "" : "no report yet";
        } else {
            s.addProperty("target", c.target());
            s.addProperty("intervalMillis", c.interval().toMillis());
            s.addProperty("timeoutMillis", c.timeout().toMillis());
            status = HealthStatus.CRITICAL;
            output = "not checked yet";
        }
        s.addProperty("deregisterAfterMillis", c.deregisterAfter().toMillis());
        s.addProperty("status", status.wireName());
        s.addProperty("statusSinceMillis", nowMillis);
        s.addProperty("output", output);
        return s;
    }

    /**
     * Reads the JSON encoding.
     *
     * @throws IllegalArgumentException when it is not a registration
     */
    public static ServiceInstance fromJson(byte[] json) {
        JsonObject m = CatalogJson.parseObject(json);
        List<String> tags = new ArrayList<>();
        if (m.get("tags") instanceof JsonArray list) {
            for (JsonElement t : list) {
                tags.add(text(t));
            }
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        if (m.get("metadata") instanceof JsonObject md) {
            for (Map.Entry<String, JsonElement> e : md.entrySet()) {
                metadata.put(e.getKey(), text(e.getValue()));
            }
        }
        JsonElement dc = m.get("datacenter");
        List<ServiceCheck> checks = new ArrayList<>();
        for (JsonObject c : CatalogJson.checks(m)) {
            checks.add(check(c));
        }
        return new ServiceInstance(text(m, "name"), text(m, "id"), text(m, "address"), number(m, "port", -1),
                number(m, "weight", 1), tags, metadata, dc != null && dc.isJsonPrimitive() ? dc.getAsString() : null,
                checks);
    }

    private static ServiceCheck check(JsonObject c) {
        String type = c.get("type").getAsString();
        Duration deregister = Duration.ofMillis(CatalogJson.longField(c, "deregisterAfterMillis", 0));
        String id = c.get("id").getAsString();
        return switch (type) {
            case "ttl" -> new ServiceCheck(id, ServiceCheck.Type.TTL, null, null, null,
                    Duration.ofMillis(CatalogJson.longField(c, "ttlMillis", 0)), deregister);
            case "http", "tcp" -> new ServiceCheck(id, ServiceCheck.Type.valueOf(type.toUpperCase(Locale.ROOT)),
                    text(c, "target"), Duration.ofMillis(CatalogJson.longField(c, "intervalMillis", 0)),
                    Duration.ofMillis(CatalogJson.longField(c, "timeoutMillis", 0)), null, deregister);
            default -> throw new IllegalArgumentException("check '" + id + "' has an unknown type '" + type + "'");
        };
    }

    /**
     * Whether a registration's health is passing: it has no checks and no status, or the worst
     * of its checks (the status the service catalog keeps) is passing. Registrations of this
     * recipe without checks are passing while they exist.
     *
     * @throws IllegalArgumentException when it is not a JSON object
     */
    public static boolean isPassing(byte[] json) {
        return CatalogJson.status(CatalogJson.parseObject(json)) == HealthStatus.PASSING;
    }

    /** A string as itself, anything else as its JSON text (a number 5 is "5"). */
    private static String text(JsonElement v) {
        return v.isJsonPrimitive() ? v.getAsString() : v.toString();
    }

    private static String text(JsonObject m, String key) {
        JsonElement v = m.get(key);
        if (v == null || !v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
            throw new IllegalArgumentException("registration field '" + key + "' is missing or not a string");
        }
        return v.getAsString();
    }

    private static int number(JsonObject m, String key, int absent) {
        JsonElement v = m.get(key);
        if (v == null || v.isJsonNull()) {
            if (absent < 0) {
                throw new IllegalArgumentException("registration field '" + key + "' is missing");
            }
            return absent;
        }
        if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isNumber()) {
            throw new IllegalArgumentException("registration field '" + key + "' is not a number");
        }
        return v.getAsNumber().intValue();
    }

    private static void segment(String s, String what) {
        Objects.requireNonNull(s, what);
        if (s.isEmpty() || s.contains("/") || s.equals(".") || s.equals("..")) {
            throw new IllegalArgumentException("service " + what + " '" + s + "' must be a non-empty path segment");
        }
    }
}
