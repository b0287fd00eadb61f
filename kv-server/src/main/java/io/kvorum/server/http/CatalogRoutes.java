package io.kvorum.server.http;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.protobuf.ByteString;
import io.kvorum.proto.v1.Child;
import io.kvorum.proto.v1.ChildrenRequest;
import io.kvorum.proto.v1.ChildrenResponse;
import io.kvorum.proto.v1.CloseSessionRequest;
import io.kvorum.proto.v1.Consistency;
import io.kvorum.proto.v1.CreateMode;
import io.kvorum.proto.v1.CreateRequest;
import io.kvorum.proto.v1.DeleteRequest;
import io.kvorum.proto.v1.DeleteResponse;
import io.kvorum.proto.v1.ErrorReason;
import io.kvorum.proto.v1.GetRequest;
import io.kvorum.proto.v1.GetResponse;
import io.kvorum.proto.v1.KeepAliveResponse;
import io.kvorum.proto.v1.OpenSessionRequest;
import io.kvorum.proto.v1.SetRequest;
import io.kvorum.server.api.ClientCalls;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The service catalog over HTTP (Consul-style): register and deregister instances with any
 * number of health checks, report TTL checks (passing, warning or critical, with a note), list
 * services, and list a service's instances filtered by health, tag and datacenter, as a
 * blocking query. Entries live in the tree as {@link CatalogEntry} describes
 * ({@code /services/<name>/<id>}, the Java ServiceRegistry recipe's layout), so Java and HTTP
 * clients see each other; the {@link HealthChecker} keeps their status.
 */
final class CatalogRoutes {
    /** A report is applied this often when other writes to the entry keep winning, then fails 412. */
    private static final int REPORT_ATTEMPTS = 5;

    private final ClientCalls calls;
    private final ChangeWaiter waiter;

    CatalogRoutes(ClientCalls calls, ChangeWaiter waiter) {
        this.calls = calls;
        this.waiter = waiter;
    }

    void register(Router router) {
        router.add("PUT", "/v1/catalog/services/{name}/{id}", Set.of(), this::registerInstance);
        router.add("DELETE", "/v1/catalog/services/{name}/{id}", Set.of(), this::deregister);
        router.add("PUT", "/v1/catalog/services/{name}/{id}/checks/{check}", Set.of(), this::report);
        router.add("GET", "/v1/catalog/services", Set.of("consistency"), this::services);
        router.add("GET", "/v1/health/service/{name}", Set.of("passing", "status", "tag", "datacenter",
                "consistency", "revision", "wait"), this::health);
    }

    private void registerInstance(HttpCall c) throws IOException {
        String name = c.pathParam("name");
        String id = c.pathParam("id");
        CatalogEntry.Registration reg = CatalogEntry.parse(name, id, c.jsonObjectBody(), System.currentTimeMillis());
        String path = CatalogEntry.instancePath(name, id);
        ensure(c, CatalogEntry.BASE);
        ensure(c, CatalogEntry.servicePath(name));
        JsonArray checks = new JsonArray();
        for (JsonObject check : reg.ttlChecks()) {
            // Registering is the TTL check's first report: its session starts now.
            var opened = c.await(calls.openSession(OpenSessionRequest.newBuilder()
                    .setTtlMillis(check.get("ttlMillis").getAsLong()).build()));
            check.addProperty("session", opened.getSessionId());
            check.addProperty("ttlMillis", opened.getTtlMillis());
        }
        for (JsonObject check : CatalogEntry.checks(reg.stored())) {
            JsonObject summary = new JsonObject();
            summary.addProperty("id", check.get("id").getAsString());
            summary.addProperty("type", CatalogEntry.type(check));
            if (CatalogEntry.type(check).equals("ttl")) {
                summary.addProperty("session", CatalogEntry.session(check));
                summary.addProperty("ttlMillis", check.get("ttlMillis").getAsLong());
            }
            checks.add(summary);
        }
        ByteString data = ByteString.copyFrom(Json.bytes(reg.stored()));
        long session = reg.session();
        long revision;
        if (session != 0) {
            // Owned by the caller's session: listed exactly while it lives.
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
        o.addProperty("status", CatalogEntry.status(reg.stored()));
        o.add("checks", checks);
        if (session != 0) {
            o.addProperty("session", session);
        } else if (reg.ttlChecks().size() == 1) {
            // The one TTL check's session, where clients of the single-check API look for it.
            o.addProperty("session", CatalogEntry.session(reg.ttlChecks().get(0)));
            o.addProperty("ttlMillis", reg.ttlChecks().get(0).get("ttlMillis").getAsLong());
        }
        o.addProperty("revision", revision);
        c.setHeader("X-Kvorum-Revision", Long.toString(revision));
        c.respond(200, o);
    }

    /**
     * A TTL check's report (Consul's check update): {@code {"status": "passing|warning|critical",
     * "note": "..."}}, both optional (passing, no note). Keeps the check's session alive, or opens
     * a new one when it expired; writes the entry only when the status, the note or the session
     * changed, so a steady heartbeat costs a keep-alive and wakes no blocking query.
     */
    private void report(HttpCall c) throws IOException {
        String name = c.pathParam("name");
        String id = c.pathParam("id");
        String checkId = c.pathParam("check");
        byte[] raw = c.body();
        JsonObject body = raw.length == 0 ? new JsonObject() : Json.parseObject(raw, "request body");
        for (String key : body.keySet()) {
            if (!key.equals("status") && !key.equals("note")) {
                throw HttpProblem.invalid("request body has an unknown field " + HttpCall.quote(key)
                        + "; known: note, status");
            }
        }
        String statusText = Json.string(body, "status", "request body");
        String status = statusText == null ? CatalogEntry.PASSING
                : CatalogEntry.parseStatus(statusText, "request body.status");
        String note = Objects.requireNonNullElse(Json.string(body, "note", "request body"), "");
        String path = CatalogEntry.instancePath(name, id);
        long opened = 0;
        for (int attempt = 1; ; attempt++) {
            GetResponse current = c.await(calls.get(GetRequest.newBuilder().setPath(path).build()));
            JsonObject entry = CatalogEntry.read(current.getData().toByteArray());
            if (entry == null) {
                throw HttpProblem.invalid(path + " is not a catalog entry (its data is not a JSON object)");
            }
            JsonObject check = CatalogEntry.check(entry, checkId);
            if (check == null) {
                throw new HttpProblem(404, "NOT_FOUND", ErrorReason.NO_NODE, "instance " + id + " of service " + name
                        + " has no check " + HttpCall.quote(checkId) + "; its checks: " + CatalogEntry.checks(entry)
                        .stream().map(x -> x.get("id").getAsString()).toList(), Map.of("path", path));
            }
            if (!CatalogEntry.type(check).equals("ttl")) {
                throw HttpProblem.invalid("check " + checkId + " is an " + CatalogEntry.type(check) + " check, run by "
                        + "the cluster; only ttl checks are reported");
            }
            Long ttlMillis = CatalogEntry.number(check, "ttlMillis");
            if (ttlMillis == null) {
                throw HttpProblem.invalid("check " + checkId + " of " + path + " has no ttlMillis: not a TTL check "
                        + "as the catalog writes it; register the instance again");
            }
            long revision = current.getHeader().getRevision();
            boolean renewed = false;
            if (opened == 0) {
                long session = CatalogEntry.session(check);
                KeepAliveResponse kept = session == 0 ? null : c.await(calls.keepAlive(session));
                if (kept == null || kept.getExpired()) {
                    opened = c.await(calls.openSession(OpenSessionRequest.newBuilder()
                            .setTtlMillis(ttlMillis).build())).getSessionId();
                } else {
                    revision = Math.max(revision, kept.getHeader().getRevision());
                }
            }
            if (opened != 0 && CatalogEntry.session(check) != opened) {
                check.addProperty("session", opened);
                renewed = true;
            }
            boolean changed = CatalogEntry.record(entry, check, status, note, System.currentTimeMillis()) | renewed;
            if (changed) {
                try {
                    revision = c.await(calls.set(SetRequest.newBuilder().setPath(path)
                            .setExpectedVersion(current.getStat().getVersion())
                            .setData(ByteString.copyFrom(Json.bytes(entry))).build())).getHeader().getRevision();
                } catch (HttpProblem p) {
                    if (p.error.reason() == ErrorReason.BAD_VERSION && attempt < REPORT_ATTEMPTS) {
                        continue; // another report or a probe wrote the entry meanwhile: apply ours to it
                    }
                    throw p;
                }
            }
            JsonObject o = new JsonObject();
            o.addProperty("name", name);
            o.addProperty("id", id);
            o.addProperty("check", checkId);
            o.addProperty("checkStatus", status);
            o.addProperty("status", CatalogEntry.status(entry));
            o.addProperty("session", CatalogEntry.session(check));
            o.addProperty("written", changed);
            o.addProperty("revision", revision);
            c.setHeader("X-Kvorum-Revision", Long.toString(revision));
            c.respond(200, o);
            return;
        }
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

    /** Deletes the instance, then closes its TTL checks' sessions (else they would linger until their TTL). */
    private void deregister(HttpCall c) throws IOException {
        String path = CatalogEntry.instancePath(c.pathParam("name"), c.pathParam("id"));
        GetResponse current = c.await(calls.get(GetRequest.newBuilder().setPath(path).build()));
        DeleteResponse r = c.await(calls.delete(DeleteRequest.newBuilder().setPath(path).setExpectedVersion(-1)
                .build()));
        JsonObject entry = CatalogEntry.read(current.getData().toByteArray());
        for (JsonObject check : entry == null ? List.<JsonObject>of() : CatalogEntry.checks(entry)) {
            long session = CatalogEntry.session(check);
            if (session != 0) {
                calls.closeSession(CloseSessionRequest.newBuilder().setSessionId(session).build());
            }
        }
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
            int[] byStatus = new int[CatalogEntry.STATUSES.size()];
            for (JsonObject e : instances) {
                if (e.get("tags") instanceof JsonArray a) {
                    // Strings only: an entry written by hand may hold anything.
                    a.forEach(t -> {
                        if (t instanceof JsonPrimitive p && p.isString()) {
                            tags.add(p.getAsString());
                        }
                    });
                }
                byStatus[CatalogEntry.STATUSES.indexOf(CatalogEntry.status(e))]++;
            }
            JsonObject s = new JsonObject();
            s.addProperty("instances", instances.size());
            for (int i = 0; i < byStatus.length; i++) {
                s.addProperty(CatalogEntry.STATUSES.get(i), byStatus[i]);
            }
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
        String wanted = c.has("status") ? CatalogEntry.parseStatus(c.query("status"), "query parameter status") : null;
        String tag = c.query("tag");
        String dc = c.query("datacenter");
        JsonArray out = new JsonArray();
        for (JsonObject e : instances(c, name, ids)) {
            String status = CatalogEntry.status(e);
            if ((passingOnly && !status.equals(CatalogEntry.PASSING)) || (wanted != null && !status.equals(wanted))) {
                continue;
            }
            if (tag != null && !(e.get("tags") instanceof JsonArray a && a.contains(new JsonPrimitive(tag)))) {
                continue;
            }
            if (dc != null && !dc.equals(CatalogEntry.text(e, "datacenter"))) {
                continue;
            }
            e.addProperty("status", status);
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
