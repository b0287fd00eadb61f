package io.kvorum.server.http;

import com.google.gson.JsonObject;
import io.kvorum.proto.v1.CloseSessionRequest;
import io.kvorum.proto.v1.CloseSessionResponse;
import io.kvorum.proto.v1.ErrorReason;
import io.kvorum.proto.v1.KeepAliveResponse;
import io.kvorum.proto.v1.OpenSessionRequest;
import io.kvorum.proto.v1.OpenSessionResponse;
import io.kvorum.server.api.ApiError;
import io.kvorum.server.api.ClientCalls;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * Sessions over HTTP: open ({@code POST /v1/sessions?ttl=10s}), keep alive
 * ({@code POST /v1/sessions/{id}/keepalive}, at least every ttl/3) and close
 * ({@code DELETE /v1/sessions/{id}}), each the Session service's own call. A keep-alive is
 * answered once the touch is replicated; a session that is gone gets 410 SESSION_EXPIRED.
 */
final class SessionRoutes {
    private final ClientCalls calls;

    SessionRoutes(ClientCalls calls) {
        this.calls = calls;
    }

    void register(Router router) {
        router.add("POST", "/v1/sessions", Set.of("ttl"), this::open);
        router.add("POST", "/v1/sessions/{id}/keepalive", Set.of(), this::keepAlive);
        router.add("DELETE", "/v1/sessions/{id}", Set.of(), this::close);
    }

    private void open(HttpCall c) throws IOException {
        if (!c.has("ttl")) {
            throw HttpProblem.invalid("query parameter ttl is required: how long the session lives without a "
                    + "keep-alive, e.g. ttl=10s");
        }
        Duration ttl = c.queryDuration("ttl", Duration.ZERO);
        OpenSessionResponse r = c.await(calls.openSession(OpenSessionRequest.newBuilder()
                .setTtlMillis(ttl.toMillis()).build()));
        c.setHeader("Location", "/v1/sessions/" + r.getSessionId());
        c.respond(201, session(r.getSessionId(), r.getTtlMillis(), r.getHeader().getRevision()));
    }

    private void keepAlive(HttpCall c) throws IOException {
        long id = c.pathLong("id");
        KeepAliveResponse r = c.await(calls.keepAlive(id));
        if (r.getExpired()) {
            throw new HttpProblem(ApiError.of(ErrorReason.SESSION_EXPIRED, "session " + id
                    + " is unknown, closed or expired: its ephemeral nodes are gone; open a new session",
                    Map.of("session_id", Long.toString(id))));
        }
        c.respond(200, session(id, r.getTtlMillis(), r.getHeader().getRevision()));
    }

    private void close(HttpCall c) throws IOException {
        long id = c.pathLong("id");
        CloseSessionResponse r = c.await(calls.closeSession(CloseSessionRequest.newBuilder().setSessionId(id).build()));
        JsonObject o = new JsonObject();
        o.addProperty("id", id);
        o.addProperty("revision", r.getHeader().getRevision());
        c.respond(200, o);
    }

    private static JsonObject session(long id, long ttlMillis, long revision) {
        JsonObject o = new JsonObject();
        o.addProperty("id", id);
        o.addProperty("ttlMillis", ttlMillis);
        o.addProperty("revision", revision);
        return o;
    }
}
