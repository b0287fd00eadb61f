package io.kvorum.client.recipes;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
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
 * empty. This is also the entry format of the server's service catalog (its HTTP API), which
 * adds {@code datacenter}, {@code check} and {@code status}: an instance whose status is
 * {@code critical} is left out of discovery ({@link #isPassing}).
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
        return GSON.toJson(m).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Reads the JSON encoding.
     *
     * @throws IllegalArgumentException when it is not a registration
     */
    public static ServiceInstance fromJson(byte[] json) {
        JsonElement parsed = parse(new String(json, StandardCharsets.UTF_8));
        if (!parsed.isJsonObject()) {
            throw new IllegalArgumentException("a service registration is a JSON object");
        }
        JsonObject m = parsed.getAsJsonObject();
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
        return new ServiceInstance(text(m, "name"), text(m, "id"), text(m, "address"), number(m, "port", -1),
                number(m, "weight", 1), tags, metadata);
    }

    /**
     * Whether a registration's health is passing: false only when its {@code status} field says
     * {@code critical}. The service catalog of the HTTP API writes that field for instances whose
     * HTTP or TCP check fails; registrations without it (this recipe's own) are passing while
     * they exist.
     *
     * @throws IllegalArgumentException when it is not a JSON object
     */
    public static boolean isPassing(byte[] json) {
        JsonElement parsed = parse(new String(json, StandardCharsets.UTF_8));
        if (!parsed.isJsonObject()) {
            throw new IllegalArgumentException("a service registration is a JSON object");
        }
        JsonElement status = parsed.getAsJsonObject().get("status");
        return status == null || !status.isJsonPrimitive() || !status.getAsString().equals("critical");
    }

    /** Exactly one strict JSON value: anything after it, or any leniency, is malformed. */
    private static JsonElement parse(String text) {
        try (JsonReader r = new JsonReader(new StringReader(text))) {
            r.setStrictness(Strictness.STRICT);
            JsonElement v = JsonParser.parseReader(r);
            if (r.peek() != JsonToken.END_DOCUMENT) {
                throw new IllegalArgumentException("malformed JSON: unexpected text after the value");
            }
            return v;
        } catch (JsonParseException | IOException e) {
            throw new IllegalArgumentException("malformed JSON: " + e.getMessage(), e);
        }
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
