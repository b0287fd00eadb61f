package io.kvorum.server.api;

import io.kvorum.proto.v1.ErrorReason;
import io.kvorum.server.auth.AccessControl;
import io.kvorum.server.auth.Audit;
import io.kvorum.server.auth.AuthView;
import io.kvorum.server.auth.Tokens;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Identifies the callers of a front end other than gRPC (the HTTP/JSON API) by the cluster's
 * users, exactly as the gRPC port does: a bearer token from Authenticate, a client
 * certificate whose common name is a user, or (what gRPC has no use for) a user name and
 * password with every request. What a caller may then do is checked by {@link ClientCalls},
 * request by request, with the gRPC port's rules.
 *
 * <p>A password sent with every request would cost a PBKDF2 hash each time (hundreds of
 * milliseconds by design). So the first check of a user's password is a full login (slowed
 * down after failures, audited, as Authenticate), and its outcome is kept as a token, keyed
 * by a salted SHA-256 of user and password: the same pair within the token's lifetime is the
 * token's check (no disk read, no hash). It ends as a token does: on expiry, a password
 * change, the user's deletion, or auth being enabled again.
 */
public final class CallerAccess {
    /** Bounds memory under a flood of invented passwords: beyond it the table is cleared. */
    private static final int MAX_REMEMBERED = 10_000;

    /** What a request carries; any may be null. */
    public record Credentials(String token, String user, String password, X509Certificate certificate) {
        public static final Credentials NONE = new Credentials(null, null, null, null);
    }

    /** A refused identification: the error to answer with (UNAUTHENTICATED or TOO_MANY_ATTEMPTS). */
    public static final class Refused extends Exception {
        private final transient ApiError error;

        Refused(ApiError error) {
            super(error.message(), null, false, false);
            this.error = error;
        }

        public ApiError error() {
            return error;
        }
    }

    private record Remembered(byte[] digest, String token) {
    }

    private final AccessControl access;
    /** Break-glass mode: credentials are not checked on this node (see ClientSecurity). */
    private final boolean bypass;
    private final byte[] salt = new byte[16];
    private final Map<String, Remembered> logins = new ConcurrentHashMap<>();

    CallerAccess(AccessControl access, boolean bypass) {
        this.access = access;
        this.bypass = bypass;
        new SecureRandom().nextBytes(salt);
    }

    /** Whether auth is enabled, as this node last applied it. */
    public boolean enabled() {
        return !bypass && access.view().enabled();
    }

    /**
     * The caller {@code credentials} name: by token if there is one, else by user and password,
     * else by client certificate; anonymous when there are none or auth is disabled. Failures
     * are audited under {@code op}.
     */
    public Caller identify(Credentials credentials, SocketAddress remote, String op) throws Refused {
        AuthView v = bypass ? AuthView.DISABLED : access.view();
        if (!v.enabled() || credentials.equals(Credentials.NONE)) {
            return Caller.anonymous(remote);
        }
        try {
            if (credentials.token() == null && credentials.user() != null) {
                return Caller.of(login(v, credentials.user(), credentials.password()), remote);
            }
            return Caller.of(access.identify(v, credentials.token(), credentials.certificate()), remote);
        } catch (AccessControl.AuthFailure f) {
            Audit.authFailure(f.user(), op, f.getMessage(), remote);
            throw new Refused(ApiError.of(f.tooManyAttempts() ? ErrorReason.TOO_MANY_ATTEMPTS
                    : ErrorReason.UNAUTHENTICATED, f.getMessage(), Map.of()));
        }
    }

    private String login(AuthView v, String user, String password) throws AccessControl.AuthFailure {
        byte[] digest = digest(user, password == null ? "" : password);
        Remembered r = logins.get(user);
        if (r != null && MessageDigest.isEqual(r.digest(), digest)) {
            try {
                return access.identify(v, r.token(), null);
            } catch (AccessControl.AuthFailure stale) {
                logins.remove(user, r); // expired or outdated: log in again below
            }
        }
        Tokens.Claims c = access.authenticate(v, user, password == null ? "" : password);
        if (logins.size() >= MAX_REMEMBERED) {
            logins.clear();
        }
        logins.put(user, new Remembered(digest, access.issue(v, c)));
        return c.user();
    }

    private byte[] digest(String user, String password) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(salt);
            md.update(user.getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            return md.digest(password.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
