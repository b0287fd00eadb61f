package io.kvorum.server.http;

import io.kvorum.proto.v1.ErrorReason;
import io.kvorum.server.api.ApiError;
import io.kvorum.server.api.Caller;
import io.kvorum.server.api.CallerAccess;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP requests identified by the cluster's users, as gRPC calls are: {@code Authorization:
 * Bearer <token>} (a token from {@code POST /v1/auth/authenticate} or the gRPC Authenticate),
 * {@code Authorization: Basic} (user and password, checked as a login is), or else the TLS
 * client certificate, whose common name is a user. Bad credentials are refused 401 here; what
 * an identified (or anonymous) caller may do is checked call by call downstream. Logging in
 * needs no identity, so its route ignores the credentials.
 */
public final class CredentialsAccess implements HttpAccess {
    private static final String BEARER = "bearer ";
    private static final String BASIC = "basic ";

    private final CallerAccess access;

    public CredentialsAccess(CallerAccess access) {
        this.access = access;
    }

    @Override
    public Caller check(Request r) throws Denied {
        if (r.route().equals(AuthRoutes.AUTHENTICATE)) {
            return Caller.anonymous(r.remote());
        }
        String op = "HTTP " + r.method() + " " + r.route();
        try {
            return access.identify(credentials(r), r.remote(), op);
        } catch (CallerAccess.Refused e) {
            throw new Denied(e.error());
        }
    }

    private static CallerAccess.Credentials credentials(Request r) throws Denied {
        String h = r.headers().getFirst("Authorization");
        if (h == null || h.isBlank()) {
            return r.clientCertificate() == null ? CallerAccess.Credentials.NONE
                    : new CallerAccess.Credentials(null, null, null, r.clientCertificate());
        }
        String lower = h.toLowerCase(Locale.ROOT);
        if (lower.startsWith(BEARER)) {
            String token = h.substring(BEARER.length()).trim();
            if (token.isEmpty()) {
                throw malformed("Authorization: Bearer has no token");
            }
            return new CallerAccess.Credentials(token, null, null, null);
        }
        if (lower.startsWith(BASIC)) {
            String pair = basic(h.substring(BASIC.length()).trim());
            int colon = pair.indexOf(':');
            if (colon <= 0) {
                throw malformed("Authorization: Basic must carry base64 of user:password");
            }
            return new CallerAccess.Credentials(null, pair.substring(0, colon), pair.substring(colon + 1), null);
        }
        throw malformed("Authorization must be \"Bearer <token>\" or \"Basic <base64 of user:password>\"");
    }

    private static String basic(String encoded) throws Denied {
        String pair = null;
        try {
            pair = Json.utf8(Base64.getDecoder().decode(encoded));
        } catch (IllegalArgumentException notBase64) {
            // the error below
        }
        if (pair == null) {
            throw malformed("Authorization: Basic is not base64 of UTF-8 user:password");
        }
        return pair;
    }

    private static Denied malformed(String message) {
        return new Denied(ApiError.of(ErrorReason.UNAUTHENTICATED, message, Map.of()));
    }
}
