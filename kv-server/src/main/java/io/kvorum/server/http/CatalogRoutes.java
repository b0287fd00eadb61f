package io.kvorum.server.http;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.protobuf.ByteString;
import io.kvorum.proto.v1.Child;
import io.kvorum.proto.v1.ChildrenRequest;
import io.kvorum.proto.v1.ChildrenResponse;
import io.kvorum.proto.v1.Consistency;
import io.kvorum.proto.v1.CreateMode;
import io.kvorum.proto.v1.CreateRequest;
import io.kvorum.proto.v1.DeleteRequest;
import io.kvorum.proto.v1.DeleteResponse;
import io.kvorum.proto.v1.ErrorReason;
import io.kvorum.proto.v1.GetRequest;
import io.kvorum.proto.v1.GetResponse;
import io.kvorum.proto.v1.OpenSessionRequest;
import io.kvorum.proto.v1.SetRequest;
import io.kvorum.server.api.ClientCalls;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The service catalog over HTTP (Consul-style): register and deregister instances with a
 * health check, list services, and list a service's instances filtered by health, tag and
 * datacenter, as a blocking query. Entries live in the tree as {@link CatalogEntry} describes
 * ({@code /services/<name>/<id>}, the Java ServiceRegistry recipe's layout), so Java and HTTP
 * clients see each other; the {@link HealthChecker} keeps their status.
 */
final class CatalogRoutes {
    private final ClientCalls calls;
    private final ChangeWaiter waiter;

    CatalogRoutes(ClientCalls calls, ChangeWaiter waiter) {
        this.calls = calls;
        this.waiter = waiter;
    }

    void register(Router router) {
        router.add("PUT", "/v1/catalog/services/{name}/{id}", Set.of(), this::registerInstance);
        router.add("DELETE", "/v1/catalog/services/{name}/{id}", Set.of(), this::deregister);
        router.add("GET", "/v1/catalog/services", Set.of("consistency"), this::services);
        router.add("GET", "/v1/health/service/{name}", Set.of("passing", "tag", "datacenter", "consistency",
                "revision", "wait"), this::health);
    }

    private void registerInstance(HttpCall c) throws IOException {
        String name = c.pathParam("name");
        String id = c.pathParam("id");
        CatalogEntry.Registration reg = CatalogEntry.parse(name, id, c.jsonObjectBody(), System.currentTimeMillis());
        String path = CatalogEntry.instancePath(name, id);
        ensure(c, CatalogEntry.BASE);
        ensure(c, CatalogEntry.servicePath(name));
        long session = reg.session();
        long ttlMillis = 0;
        if (reg.ttl() != null && session == 0) {
            var opened = c.await(calls.openSession(OpenSessionRequest.newBuilder().setTtlMillis(reg.ttl().toMillis())
                    .build()));
            session = opened.getSessionId();
            ttlMillis = opened.getTtlMillis();
        }
        ByteString data = ByteString.copyFrom(Json.bytes(reg.stored()));
        long revision;
        if (session != 0) {
            // Owned by the session: listed exactly while it lives (a TTL check, or the caller's own session).
            CreateRequest create = CreateRequest.newBuilder().setPath(path).setData(data)
                    .setMode(CreateMode.EPHEMERAL).setSessionId(session).build();
            try {
                revision = c.await(calls.create(create)).getHeader().getRevision();
            } catch (HttpProblem p) {
                if (p.error.reason() != ErrorReason.NODE_EXISTS) {
                    throw p;
                }
                c.await(calls.delete(DeleteRequest.newBuilder().setPath(path).setExpectedVersion(-1).build()));
                revision = c.await(calls.create(create)).getHeader().getRevision();
            }
        } else {
            try {
                revision = c.await(calls.create(CreateRequest.newBuilder().setPath(path).setData(data).build()))
                        .getHeader().getRevision();
            } catch (HttpProblem p) {
                if (p.error.reason() != ErrorReason.NODE_EXISTS) {
                    throw p;
                }
                revision = c.await(calls.set(SetRequest.newBuilder().setPath(path).setData(data)
                        .setExpectedVersion(-1).build())).getHeader().getRevision();
            }
        }
        JsonObject o = new JsonObject();
        o.addProperty("name", name);
        o.addProperty("id", id);
        o.addProperty("path", path);
        if (session != 0) {
            o.addProperty("session", session);
        }
        if (ttlMillis != 0) {
            o.addProperty("ttlMillis", ttlMillis);
        }
        o.addProperty("revision", revision);
        c.setHeader("X-Kvorum-Revision", Long.toString(revision));
        c.respond(200, o);
    }

    /** Creates a persistent parent unless it exists. */
    private void ensure(HttpCall c, String path) {
        try {
            c.await(calls.create(CreateRequest.newBuilder().setPath(path).build()));
        } catch (HttpProblem p) {
            if (p.error.reason() != ErrorReason.NODE_EXISTS) {
                throw p;
            }
        }
    }

    private void deregister(HttpCall c) throws IOException {
        String path = CatalogEntry.instancePath(c.pathParam("name"), c.pathParam("id"));
        DeleteResponse r = c.await(calls.delete(DeleteRequest.newBuilder().setPath(path).setExpectedVersion(-1)
                .build()));
        JsonObject o = new JsonObject();
        o.addProperty("path", path);
        o.addProperty("revision", r.getHeader().getRevision());
        c.setHeader("X-Kvorum-Revision", Long.toString(r.getHeader().getRevision()));
        c.respond(200, o);
    }

    private void services(HttpCall c) throws IOException {
        Listing names = list(c, CatalogEntry.BASE, NodeRoutes.consistency(c), 0);
        JsonObject services = new JsonObject();
        for (String name : names.children) {
            Listing ids = list(c, CatalogEntry.servicePath(name), Consistency.SERIALIZABLE, names.revision);
            List<JsonObject> instances = instances(c, name, ids);
            TreeSet<String> tags = new TreeSet<>();
            int passing = 0;
            for (JsonObject e : instances) {
                if (e.get("tags") instanceof JsonArray a) {
                    a.forEach(t -> tags.add(t.getAsString()));
                }
                passing += CatalogEntry.status(e).equals("passing") ? 1 : 0;
            }
            JsonObject s = new JsonObject();
            s.addProperty("instances", instances.size());
            s.addProperty("passing", passing);
            JsonArray t = new JsonArray();
            tags.forEach(t::add);
            s.add("tags", t);
            services.add(name, s);
        }
        JsonObject o = new JsonObject();
        o.add("services", services);
        o.addProperty("revision", names.revision);
        c.setHeader("X-Kvorum-Revision", Long.toString(names.revision));
        c.respond(200, o);
    }

    private void health(HttpCall c) throws IOException {
        String name = c.pathParam("name");
        String servicePath = CatalogEntry.servicePath(name);
        if (c.has("revision")) {
            long after = c.queryLong("revision", 0);
            Duration wait = c.queryDuration("wait", NodeRoutes.DEFAULT_WAIT);
            if (wait.compareTo(NodeRoutes.MAX_WAIT) > 0) {
                throw HttpProblem.invalid("query parameter wait may be at most 10m, got " + c.query("wait"));
            }
            waiter.await(servicePath, true, after, wait);
        } else if (c.has("wait")) {
            throw HttpProblem.invalid("query parameter wait needs revision: the X-Kvorum-Revision of the last "
                    + "answer you saw");
        }
        Listing ids = list(c, servicePath, NodeRoutes.consistency(c), 0);
        boolean passingOnly = c.flag("passing");
        String tag = c.query("tag");
        String dc = c.query("datacenter");
        JsonArray out = new JsonArray();
        for (JsonObject e : instances(c, name, ids)) {
            if (passingOnly && !CatalogEntry.status(e).equals("passing")) {
                continue;
            }
            if (tag != null && !(e.get("tags") instanceof JsonArray a && a.contains(new JsonPrimitive(tag)))) {
                continue;
            }
            if (dc != null && !(e.has("datacenter") && e.get("datacenter").getAsString().equals(dc))) {
                continue;
            }
            e.addProperty("status", CatalogEntry.status(e));
            out.add(e);
        }
        JsonObject o = new JsonObject();
        o.addProperty("service", name);
        o.add("instances", out);
        o.addProperty("revision", ids.revision);
        c.setHeader("X-Kvorum-Revision", Long.toString(ids.revision));
        c.respond(200, o);
    }

    private record Listing(List<String> children, long revision) {
    }

    /** The children of {@code path} (none when it does not exist), every page. */
    private Listing list(HttpCall c, String path, Consistency consistency, long minRevision) {
        List<String> names = new ArrayList<>();
        String token = "";
        long revision = minRevision;
        do {
            ChildrenResponse r;
            try {
                r = c.await(calls.children(ChildrenRequest.newBuilder().setPath(path).setConsistency(consistency)
                        .setPageSize(10_000).setPageToken(token).setMinRevision(revision).build()));
            } catch (HttpProblem p) {
                if (p.error.reason() != ErrorReason.NO_NODE) {
                    throw p;
                }
                return new Listing(List.of(), revision == 0 ? currentRevision(c) : revision);
            }
            r.getChildrenList().stream().map(Child::getName).forEach(names::add);
            token = r.getNextPageToken();
            revision = Math.max(revision, r.getHeader().getRevision());
            consistency = Consistency.SERIALIZABLE; // later pages: at least the first page's revision
        } while (!token.isEmpty());
        return new Listing(names, revision);
    }

    /** The revision this node has applied: reading the root, which always exists. */
    private long currentRevision(HttpCall c) {
        return c.await(calls.get(GetRequest.newBuilder().setPath("/").setConsistency(Consistency.SERIALIZABLE)
                .build())).getHeader().getRevision();
    }

    /** A service's entries, read at least at the listing's revision; entries that are not catalog JSON are skipped. */
    private List<JsonObject> instances(HttpCall c, String name, Listing ids) {
        long revision = ids.revision;
        List<JsonObject> out = new ArrayList<>();
        for (String id : ids.children) {
            GetResponse r;
            try {
                r = c.await(calls.get(GetRequest.newBuilder().setPath(CatalogEntry.instancePath(name, id))
                        .setConsistency(Consistency.SERIALIZABLE).setMinRevision(revision).build()));
            } catch (HttpProblem p) {
                if (p.error.reason() == ErrorReason.NO_NODE) {
                    continue; // deregistered meanwhile
                }
                throw p;
            }
            JsonObject e = CatalogEntry.read(r.getData().toByteArray());
            if (e != null) {
                out.add(e);
            }
        }
        return out;
    }
}
