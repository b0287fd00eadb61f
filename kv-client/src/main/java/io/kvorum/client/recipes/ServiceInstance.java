package io.kvorum.client.recipes;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One instance of a service, as registered under {@code /services/<name>/<id>}.
 *
 * <p>Stored as the node's data in UTF-8 JSON, so any language can read it:
 * <pre>{@code
 * {"name":"orders","id":"10.0.0.5:8080","address":"10.0.0.5","port":8080,"weight":10,
 *  "tags":["v2","canary"],"metadata":{"zone":"eu-1"}}
 * }</pre>
 * Readers ignore fields they do not know; a missing weight is 1, missing tags and metadata are
 * empty.
 *
 * @param name the service's name (a path segment: no '/')
 * @param id unique among the service's instances (a path segment); by default {@code address:port}
 * @param address host name or IP clients connect to
 * @param port the port clients connect to
 * @param weight its share of traffic under weighted balancing (positive)
 * @param tags free-form labels
 * @param metadata free-form key/value pairs
 */
public record ServiceInstance(String name, String id, String address, int port, int weight, List<String> tags,
                              Map<String, String> metadata) {
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
    }

    /** An instance of weight 1 with id {@code address:port}, no tags or metadata. */
    public static ServiceInstance of(String name, String address, int port) {
        return new ServiceInstance(name, address + ":" + port, address, port, 1, List.of(), Map.of());
    }

    public ServiceInstance withId(String id) {
        return new ServiceInstance(name, id, address, port, weight, tags, metadata);
    }

    public ServiceInstance withWeight(int weight) {
        return new ServiceInstance(name, id, address, port, weight, tags, metadata);
    }

    public ServiceInstance withTags(String... tags) {
        return new ServiceInstance(name, id, address, port, weight, List.of(tags), metadata);
    }

    public ServiceInstance withMetadata(Map<String, String> metadata) {
        return new ServiceInstance(name, id, address, port, weight, tags, metadata);
    }

    /** The JSON encoding stored as the node's data. */
    public byte[] toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("id", id);
        m.put("address", address);
        m.put("port", port);
        m.put("weight", weight);
        m.put("tags", tags);
        m.put("metadata", new LinkedHashMap<>(metadata));
        return Json.write(m).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Reads the JSON encoding.
     *
     * @throws IllegalArgumentException when it is not a registration
     */
    public static ServiceInstance fromJson(byte[] json) {
        Object parsed = Json.parse(new String(json, StandardCharsets.UTF_8));
        if (!(parsed instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("a service registration is a JSON object");
        }
        List<String> tags = new ArrayList<>();
        if (m.get("tags") instanceof List<?> list) {
            for (Object t : list) {
                tags.add(String.valueOf(t));
            }
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        if (m.get("metadata") instanceof Map<?, ?> md) {
            for (Map.Entry<?, ?> e : md.entrySet()) {
                metadata.put(String.valueOf(e.getKey()), String.valueOf(e.getValue()));
            }
        }
        return new ServiceInstance(text(m, "name"), text(m, "id"), text(m, "address"), number(m, "port", -1),
                number(m, "weight", 1), tags, metadata);
    }

    private static String text(Map<?, ?> m, String key) {
        Object v = m.get(key);
        if (!(v instanceof String s)) {
            throw new IllegalArgumentException("registration field '" + key + "' is missing or not a string");
        }
        return s;
    }

    private static int number(Map<?, ?> m, String key, int absent) {
        Object v = m.get(key);
        if (v == null) {
            if (absent < 0) {
                throw new IllegalArgumentException("registration field '" + key + "' is missing");
            }
            return absent;
        }
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException("registration field '" + key + "' is not a number");
        }
        return n.intValue();
    }

    private static void segment(String s, String what) {
        Objects.requireNonNull(s, what);
        if (s.isEmpty() || s.contains("/") || s.equals(".") || s.equals("..")) {
            throw new IllegalArgumentException("service " + what + " '" + s + "' must be a non-empty path segment");
        }
    }
}
