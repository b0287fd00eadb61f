package io.kvorum.server.http;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.protobuf.ByteString;
import io.kvorum.proto.v1.CheckOp;
import io.kvorum.proto.v1.Child;
import io.kvorum.proto.v1.ChildrenRequest;
import io.kvorum.proto.v1.ChildrenResponse;
import io.kvorum.proto.v1.Consistency;
import io.kvorum.proto.v1.CreateMode;
import io.kvorum.proto.v1.CreateRequest;
import io.kvorum.proto.v1.CreateResponse;
import io.kvorum.proto.v1.DeleteRequest;
import io.kvorum.proto.v1.DeleteResponse;
import io.kvorum.proto.v1.GetRequest;
import io.kvorum.proto.v1.GetResponse;
import io.kvorum.proto.v1.MultiRequest;
import io.kvorum.proto.v1.MultiResponse;
import io.kvorum.proto.v1.Op;
import io.kvorum.proto.v1.OpResult;
import io.kvorum.proto.v1.SetRequest;
import io.kvorum.proto.v1.SetResponse;
import io.kvorum.proto.v1.Stat;
import io.kvorum.server.api.ClientCalls;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Nodes over HTTP: {@code GET/PUT/POST/DELETE /v1/nodes/{path}}, {@code GET /v1/children/{path}}
 * and {@code POST /v1/multi}, each one call of {@link ClientCalls}. Node data travels raw
 * (any content type but JSON; {@code ?raw} or {@code Accept: application/octet-stream} on
 * reads) or wrapped in JSON ({@code text} or base64 {@code data}). Reads are linearizable
 * unless {@code ?consistency=serializable}; with {@code ?revision=N} a read blocks until
 * something at the path changed after N (or {@code ?wait}, default 60 s, passed).
 */
final class NodeRoutes {
    static final Duration DEFAULT_WAIT = Duration.ofSeconds(60);
    static final Duration MAX_WAIT = Duration.ofMinutes(10);
    private static final Set<String> READ = Set.of("consistency", "minRevision", "revision", "wait");

    private final ClientCalls calls;
    private final ChangeWaiter waiter;

    NodeRoutes(ClientCalls calls, ChangeWaiter waiter) {
        this.calls = calls;
        this.waiter = waiter;
    }

    void register(Router router) {
        router.add("GET", "/v1/nodes/{path}", union(READ, Set.of("raw")), this::get);
        router.add("PUT", "/v1/nodes/{path}", Set.of("version"), this::set);
        router.add("POST", "/v1/nodes/{path}", Set.of("mode", "ttl", "session"), this::create);
        router.add("DELETE", "/v1/nodes/{path}", Set.of("version"), this::delete);
        router.add("GET", "/v1/children/{path}", union(READ, Set.of("pageSize", "pageToken", "stat")), this::children);
        router.add("POST", "/v1/multi", Set.of(), this::multi);
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        java.util.HashSet<String> s = new java.util.HashSet<>(a);
        s.addAll(b);
        return s;
    }

    private void get(HttpCall c) throws IOException {
        String path = c.nodePath();
        blockIfAsked(c, path);
        GetResponse r = c.await(calls.get(GetRequest.newBuilder().setPath(path).setConsistency(consistency(c))
                .setMinRevision(c.queryLong("minRevision", 0)).build()));
        long revision = r.getHeader().getRevision();
        revisionHeaders(c, revision);
        c.setHeader("ETag", etag(r.getStat().getVersion()));
        if (wantsRaw(c)) {
            c.respond(200, "application/octet-stream", r.getData().toByteArray());
            return;
        }
        JsonObject o = new JsonObject();
        o.addProperty("path", path);
        Json.addData(o, r.getData());
        o.add("stat", Json.stat(r.getStat()));
        o.addProperty("revision", revision);
        c.respond(200, o);
    }

    private void children(HttpCall c) throws IOException {
        String path = c.nodePath();
        blockIfAsked(c, path);
        long pageSize = c.queryLong("pageSize", 0);
        if (pageSize < 0 || pageSize > Integer.MAX_VALUE) {
            throw HttpProblem.invalid("query parameter pageSize must be 0 (the server's default page) or more "
                    + "(the server caps it at its --max-page-size), got " + pageSize);
        }
        String token = c.query("pageToken");
        ChildrenResponse r = c.await(calls.children(ChildrenRequest.newBuilder().setPath(path)
                .setConsistency(consistency(c)).setMinRevision(c.queryLong("minRevision", 0))
                .setPageSize((int) pageSize).setPageToken(token == null ? "" : token)
                .setIncludeStat(c.flag("stat")).build()));
        JsonArray children = new JsonArray();
        for (Child ch : r.getChildrenList()) {
            JsonObject o = new JsonObject();
            o.addProperty("name", ch.getName());
            if (ch.hasStat()) {
                o.add("stat", Json.stat(ch.getStat()));
            }
            children.add(o);
        }
        JsonObject o = new JsonObject();
        o.addProperty("path", path);
        o.add("children", children);
        o.addProperty("nextPageToken", r.getNextPageToken());
        o.addProperty("revision", r.getHeader().getRevision());
        revisionHeaders(c, r.getHeader().getRevision());
        c.respond(200, o);
    }

    private void set(HttpCall c) throws IOException {
        String path = c.nodePath();
        long version = expectedVersion(c);
        ByteString data = data(c);
        SetResponse r = c.await(calls.set(SetRequest.newBuilder().setHeader(c.writeHeader()).setPath(path)
                .setData(data).setExpectedVersion(version).build()));
        c.setHeader("ETag", etag(r.getStat().getVersion()));
        revisionHeaders(c, r.getHeader().getRevision());
        JsonObject o = new JsonObject();
        o.addProperty("path", path);
        o.add("stat", Json.stat(r.getStat()));
        o.addProperty("revision", r.getHeader().getRevision());
        c.respond(200, o);
    }

    private void create(HttpCall c) throws IOException {
        String path = c.nodePath();
        CreateRequest.Builder b = CreateRequest.newBuilder().setHeader(c.writeHeader()).setPath(path)
                .setData(data(c));
        String mode = c.query("mode");
        if (mode != null) {
            b.setMode(mode(mode, "query parameter mode"));
        }
        if (c.has("ttl")) {
            b.setTtlMillis(c.queryDuration("ttl", Duration.ZERO).toMillis());
        }
        b.setSessionId(c.queryLong("session", 0));
        CreateResponse r = c.await(calls.create(b.build()));
        c.setHeader("Location", "/v1/nodes" + r.getPath());
        c.setHeader("ETag", etag(r.getStat().getVersion()));
        revisionHeaders(c, r.getHeader().getRevision());
        c.respond(201, created(r));
    }

    private void delete(HttpCall c) throws IOException {
        String path = c.nodePath();
        DeleteResponse r = c.await(calls.delete(DeleteRequest.newBuilder().setHeader(c.writeHeader()).setPath(path)
                .setExpectedVersion(expectedVersion(c)).build()));
        revisionHeaders(c, r.getHeader().getRevision());
        JsonObject o = new JsonObject();
        o.addProperty("path", path);
        o.addProperty("revision", r.getHeader().getRevision());
        c.respond(200, o);
    }

    /**
     * {@code {"ops": [{"check": {path, version}}, {"create": {path, text|data, mode, ttlMillis,
     * session}}, {"set": {path, text|data, version}}, {"delete": {path, version}}]}}: all or none.
     */
    private void multi(HttpCall c) throws IOException {
        JsonObject body = c.jsonObjectBody();
        JsonElement ops = body.get("ops");
        if (ops == null || !ops.isJsonArray()) {
            throw HttpProblem.invalid("request body must have \"ops\", an array of operations");
        }
        for (String key : body.keySet()) {
            if (!key.equals("ops")) {
                throw HttpProblem.invalid("request body has an unknown field " + HttpCall.quote(key) + "; known: ops");
            }
        }
        MultiRequest.Builder m = MultiRequest.newBuilder().setHeader(c.writeHeader());
        int i = 0;
        for (JsonElement e : ops.getAsJsonArray()) {
            m.addOps(op(e, "ops[" + i + "]"));
            i++;
        }
        MultiResponse r = c.await(calls.multi(m.build()));
        JsonArray results = new JsonArray();
        for (OpResult res : r.getResultsList()) {
            JsonObject o = new JsonObject();
            switch (res.getResultCase()) {
                case CHECK -> o.add("check", statOnly(res.getCheck()));
                case CREATE -> {
                    JsonObject created = created(res.getCreate());
                    created.remove("revision"); // the multi's own revision is the one that counts
                    o.add("create", created);
                }
                case SET -> o.add("set", statOnly(res.getSet().getStat()));
                case DELETE -> o.add("delete", new JsonObject());
                case RESULT_NOT_SET -> { }
            }
            results.add(o);
        }
        JsonObject o = new JsonObject();
        o.add("results", results);
        o.addProperty("revision", r.getHeader().getRevision());
        revisionHeaders(c, r.getHeader().getRevision());
        c.respond(200, o);
    }

    private static Op op(JsonElement e, String what) {
        if (!e.isJsonObject() || e.getAsJsonObject().size() != 1) {
            throw HttpProblem.invalid(what + " must be an object with exactly one of check, create, set, delete");
        }
        Map.Entry<String, JsonElement> only = e.getAsJsonObject().entrySet().iterator().next();
        String kind = only.getKey();
        String at = what + "." + kind;
        if (!only.getValue().isJsonObject()) {
            throw HttpProblem.invalid(at + " must be an object, got " + Json.kind(only.getValue()));
        }
        JsonObject o = only.getValue().getAsJsonObject();
        String path = Json.string(o, "path", at);
        if (path == null) {
            throw HttpProblem.invalid(at + ".path is required");
        }
        long version = Json.integer(o, "version", -1, at);
        return switch (kind) {
            case "check" -> Op.newBuilder().setCheck(CheckOp.newBuilder().setPath(path).setExpectedVersion(version))
                    .build();
            case "create" -> {
                CreateRequest.Builder b = CreateRequest.newBuilder().setPath(path).setData(Json.data(o, at))
                        .setTtlMillis(Json.integer(o, "ttlMillis", 0, at)).setSessionId(Json.integer(o, "session", 0, at));
                String mode = Json.string(o, "mode", at);
                if (mode != null) {
                    b.setMode(mode(mode, at + ".mode"));
                }
                yield Op.newBuilder().setCreate(b).build();
            }
            case "set" -> Op.newBuilder().setSet(SetRequest.newBuilder().setPath(path).setData(Json.data(o, at))
                    .setExpectedVersion(version)).build();
            case "delete" -> Op.newBuilder().setDelete(DeleteRequest.newBuilder().setPath(path)
                    .setExpectedVersion(version)).build();
            default -> throw HttpProblem.invalid(what + " has an unknown operation " + HttpCall.quote(kind)
                    + "; known: check, create, set, delete");
        };
    }

    // ------------------------------------------------------------------ pieces

    private void blockIfAsked(HttpCall c, String path) {
        if (!c.has("revision")) {
            if (c.has("wait")) {
                throw HttpProblem.invalid("query parameter wait needs revision: the revision of the last answer "
                        + "you saw (its X-Kvorum-Revision header)");
            }
            return;
        }
        long after = c.queryLong("revision", 0);
        if (after < 0) {
            throw HttpProblem.invalid("query parameter revision must be at least 0, got " + after);
        }
        Duration wait = c.queryDuration("wait", DEFAULT_WAIT);
        if (wait.compareTo(MAX_WAIT) > 0) {
            throw HttpProblem.invalid("query parameter wait may be at most 10m, got " + c.query("wait"));
        }
        waiter.await(path, false, after, wait);
    }

    static Consistency consistency(HttpCall c) {
        String v = c.query("consistency");
        if (v == null || v.equals("linearizable")) {
            return Consistency.LINEARIZABLE;
        }
        if (v.equals("serializable")) {
            return Consistency.SERIALIZABLE;
        }
        throw HttpProblem.invalid("query parameter consistency must be linearizable or serializable, got "
                + HttpCall.quote(v));
    }

    /** The body as node data: JSON-wrapped when the content type is JSON, else the raw bytes. */
    private static ByteString data(HttpCall c) throws IOException {
        if (!c.jsonBody()) {
            return ByteString.copyFrom(c.body());
        }
        JsonObject o = c.jsonObjectBody();
        for (String key : o.keySet()) {
            if (!key.equals("text") && !key.equals("data")) {
                throw HttpProblem.invalid("request body has an unknown field " + HttpCall.quote(key)
                        + "; known: text, data (send another content type to store the body as it is)");
            }
        }
        return Json.data(o, "request body");
    }

    /** From {@code If-Match} or {@code ?version=}; -1 (any) when neither is given. */
    static long expectedVersion(HttpCall c) {
        String ifMatch = c.header("If-Match");
        Long fromHeader = null;
        if (ifMatch != null && !ifMatch.trim().equals("*")) {
            String v = ifMatch.trim();
            if (v.startsWith("\"") && v.endsWith("\"") && v.length() >= 2) {
                v = v.substring(1, v.length() - 1);
            }
            try {
                fromHeader = Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw HttpProblem.invalid("If-Match must be a node version as the ETag gives it (\"3\"), or *, got "
                        + HttpCall.quote(ifMatch));
            }
        }
        long fromQuery = c.queryLong("version", -1);
        if (fromHeader != null && c.has("version") && fromHeader != fromQuery) {
            throw HttpProblem.invalid("If-Match (" + fromHeader + ") and query parameter version (" + fromQuery
                    + ") disagree: give the expected version once");
        }
        return fromHeader != null ? fromHeader : fromQuery;
    }

    /** A create mode by its HTTP name (ephemeral, sequential, ttl...) or its proto name. */
    static CreateMode mode(String name, String what) {
        String n = name.toLowerCase(Locale.ROOT).replace('_', '-');
        return switch (n) {
            case "persistent" -> CreateMode.PERSISTENT;
            case "ephemeral" -> CreateMode.EPHEMERAL;
            case "sequential", "persistent-sequential" -> CreateMode.PERSISTENT_SEQUENTIAL;
            case "ephemeral-sequential" -> CreateMode.EPHEMERAL_SEQUENTIAL;
            case "container" -> CreateMode.CONTAINER;
            case "ttl", "persistent-with-ttl" -> CreateMode.PERSISTENT_WITH_TTL;
            case "sequential-ttl", "persistent-sequential-with-ttl" -> CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL;
            default -> throw HttpProblem.invalid(what + " must be one of persistent, ephemeral, sequential, "
                    + "ephemeral-sequential, container, ttl, sequential-ttl; got " + HttpCall.quote(name));
        };
    }

    private static boolean wantsRaw(HttpCall c) {
        if (c.flag("raw")) {
            return true;
        }
        String accept = c.header("Accept");
        return accept != null && accept.contains("application/octet-stream") && !accept.contains("application/json");
    }

    private static void revisionHeaders(HttpCall c, long revision) {
        c.setHeader("X-Kvorum-Revision", Long.toString(revision));
    }

    private static String etag(long version) {
        return "\"" + version + "\"";
    }

    private static JsonObject created(CreateResponse r) {
        JsonObject o = new JsonObject();
        o.addProperty("path", r.getPath());
        o.add("stat", Json.stat(r.getStat()));
        o.addProperty("revision", r.getHeader().getRevision());
        return o;
    }

    private static JsonObject statOnly(Stat s) {
        JsonObject o = new JsonObject();
        o.add("stat", Json.stat(s));
        return o;
    }
}
