package io.kvorum.server.http;

import com.google.gson.JsonObject;
import io.kvorum.proto.v1.AuthenticateRequest;
import io.kvorum.proto.v1.AuthenticateResponse;
import io.kvorum.server.api.ClientCalls;
import java.io.IOException;
import java.time.Instant;
import java.util.Set;

/**
 * Logging in over HTTP: {@code POST /v1/auth/authenticate} with {@code {"user", "password"}}
 * answers the same token the gRPC Authenticate issues, to send as {@code Authorization: Bearer}
 * until it expires (and then log in again).
 */
final class AuthRoutes {
    static final String AUTHENTICATE = "/v1/auth/authenticate";

    private final ClientCalls calls;

    AuthRoutes(ClientCalls calls) {
        this.calls = calls;
    }

    void register(Router router) {
        router.add("POST", AUTHENTICATE, Set.of(), this::authenticate);
    }

    private void authenticate(HttpCall c) throws IOException {
        JsonObject body = c.jsonObjectBody();
        for (String key : body.keySet()) {
            if (!key.equals("user") && !key.equals("password")) {
                throw HttpProblem.invalid("request body has an unknown field " + HttpCall.quote(key)
                        + "; known: user, password");
            }
        }
        String user = Json.string(body, "user", "request body");
        String password = Json.string(body, "password", "request body");
        if (user == null || user.isEmpty() || password == null) {
            throw HttpProblem.invalid("request body must have \"user\" (not empty) and \"password\", both strings");
        }
        AuthenticateResponse r = c.await(calls.authenticate(AuthenticateRequest.newBuilder().setUser(user)
                .setPassword(password).build()));
        JsonObject o = new JsonObject();
        o.addProperty("user", user);
        o.addProperty("token", r.getToken());
        o.addProperty("expiresAtMillis", r.getExpiresAtMillis());
        o.addProperty("expiresAt", Instant.ofEpochMilli(r.getExpiresAtMillis()).toString());
        c.setHeader("Cache-Control", "no-store");
        c.respond(200, o);
    }
}
