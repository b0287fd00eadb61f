package io.kvorum.server.http;

import com.sun.net.httpserver.Headers;
import io.kvorum.proto.v1.ErrorReason;
import io.kvorum.server.api.ApiError;
import io.kvorum.server.api.Caller;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.Map;

/**
 * Who an HTTP request acts as: the one place where credentials plug in. Every request passes
 * {@link #check} after its route is known and before anything is read or proposed, and is then
 * served as the {@link Caller} it returns, whose rights {@link io.kvorum.server.api.ClientCalls}
 * checks call by call as the gRPC port does. A refusal here becomes a 401 (or 403) with the
 * JSON error body and nothing is done. {@link CredentialsAccess} is the cluster's users.
 */
@FunctionalInterface
public interface HttpAccess {
    /**
     * What is being asked.
     *
     * @param method            the HTTP method
     * @param route             the route template, e.g. {@code /v1/nodes/{path}}
     * @param nodePath          the node path the request names (decoded), or null when it names none
     * @param headers           the request headers (an {@code Authorization} header, say)
     * @param remote            the client's address
     * @param clientCertificate the client's verified TLS certificate, or null
     */
    record Request(String method, String route, String nodePath, Headers headers, InetSocketAddress remote,
                   X509Certificate clientCertificate) {
    }

    /** Refused, with the error to answer (UNAUTHENTICATED: 401, PERMISSION_DENIED: 403...). */
    final class Denied extends Exception {
        private final transient ApiError error;

        public Denied(ApiError error) {
            super(error.message());
            this.error = error;
        }

        /** 401 UNAUTHENTICATED when {@code authenticated} is false (who are you?), else 403 PERMISSION_DENIED. */
        public Denied(boolean authenticated, String message) {
            this(ApiError.of(authenticated ? ErrorReason.PERMISSION_DENIED : ErrorReason.UNAUTHENTICATED, message,
                    Map.of()));
        }

        public ApiError error() {
            return error;
        }
    }

    /** The caller {@code request} acts as; throws {@link Denied} when it may not proceed. */
    Caller check(Request request) throws Denied;

    /**
     * Every request acts as an anonymous caller: served while the cluster's auth is disabled,
     * refused UNAUTHENTICATED (but for logging in) while it is enabled.
     */
    static HttpAccess anonymous() {
        return request -> Caller.anonymous(request.remote());
    }
}
