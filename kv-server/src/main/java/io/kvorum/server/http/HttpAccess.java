package io.kvorum.server.http;

import com.sun.net.httpserver.Headers;
import java.net.InetSocketAddress;
import java.util.function.BooleanSupplier;

/**
 * The access check of the HTTP API: the one place where users, tokens and roles plug in. Every
 * request passes {@link #check} after its route is known and before anything is read or
 * proposed; a refusal becomes a 401 or 403 with the JSON error body and nothing is done. The
 * default lets everything through (the gRPC port checks nothing either until security exists).
 */
@FunctionalInterface
public interface HttpAccess {
    /**
     * What is being asked.
     *
     * @param method   the HTTP method
     * @param route    the route template, e.g. {@code /v1/nodes/{path}}
     * @param nodePath the node path the request names (decoded), or null when it names none
     * @param headers  the request headers (an {@code Authorization} header, say)
     * @param remote   the client's address
     */
    record Request(String method, String route, String nodePath, Headers headers, InetSocketAddress remote) {
    }

    /** Refused: 401 when {@code authenticated} is false (who are you?), else 403. */
    final class Denied extends Exception {
        private final boolean authenticated;

        public Denied(boolean authenticated, String message) {
            super(message);
            this.authenticated = authenticated;
        }

        public boolean authenticated() {
            return authenticated;
        }
    }

    /** Returns when {@code request} may proceed; throws {@link Denied} otherwise. */
    void check(Request request) throws Denied;

    /** Lets every request through. */
    static HttpAccess allowAll() {
        return request -> { };
    }

    /**
     * Lets requests through while {@code authEnabled} is false and refuses every one (401) while
     * it is true: until this API authenticates users, it must not be a way around the roles.
     */
    static HttpAccess closedWhileAuthEnabled(BooleanSupplier authEnabled) {
        return request -> {
            if (authEnabled.getAsBoolean()) {
                throw new Denied(false, "auth is enabled on this cluster and the HTTP API does not authenticate "
                        + "requests yet: use the gRPC API (kv-client, the kvorum CLI)");
            }
        };
    }
}
