package io.kvorum.server.auth;

import io.kvorum.proto.internal.v1.AuthData;
import io.kvorum.proto.internal.v1.StoredUser;
import io.kvorum.server.state.AuthStore;
import io.kvorum.server.tls.CertNames;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

/**
 * Who a caller is, on one node: verifies tokens and client certificates against the applied
 * auth state (held as an {@link AuthView} rebuilt on every auth change), checks passwords
 * with a per-user {@link LoginLimiter}, and issues tokens.
 */
public final class AccessControl {
    private final AuthStore store;
    private final Duration tokenTtl;
    private final int passwordIterations;
    private final LongSupplier clock;
    private final LoginLimiter limiter;
    private final List<Runnable> changeListeners = new CopyOnWriteArrayList<>();
    private final java.util.function.Consumer<AuthData> follower = this::changed;
    private volatile AuthView view;

    /**
     * @param tokenTtl           how long an issued token is accepted
     * @param passwordIterations PBKDF2 iterations for new password hashes
     */
    public AccessControl(AuthStore store, Duration tokenTtl, int passwordIterations, LongSupplier clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.tokenTtl = tokenTtl;
        this.passwordIterations = passwordIterations;
        this.clock = clock;
        this.limiter = new LoginLimiter(clock);
        this.view = new AuthView(store.current());
        store.addListener(follower);
    }

    private void changed(AuthData d) {
        view = new AuthView(d);
        for (Runnable r : changeListeners) {
            r.run();
        }
    }

    /** Stops following the store (the server closes). */
    public void detach() {
        store.removeListener(follower);
    }

    /** Called on the node's loop thread after each auth change: must not block. */
    public void onChange(Runnable r) {
        changeListeners.add(r);
    }

    public AuthView view() {
        return view;
    }

    public int passwordIterations() {
        return passwordIterations;
    }

    /** A failed identification: the message is safe to return to the caller. */
    public static final class AuthFailure extends Exception {
        private final String user;
        private final boolean tooManyAttempts;

        AuthFailure(String user, String message, boolean tooManyAttempts) {
            super(message, null, false, false);
            this.user = user;
            this.tooManyAttempts = tooManyAttempts;
        }

        public String user() {
            return user;
        }

        public boolean tooManyAttempts() {
            return tooManyAttempts;
        }
    }

    /**
     * The user a call acts as: from its bearer token when it has one, else from its verified
     * client certificate's common name, which must be a user.
     */
    public String identify(AuthView v, String bearerToken, X509Certificate clientCert) throws AuthFailure {
        if (bearerToken != null) {
            Tokens.Claims c;
            try {
                c = Tokens.verify(v.data().getTokenSecret().toByteArray(), bearerToken, clock.getAsLong());
            } catch (Tokens.InvalidTokenException e) {
                throw new AuthFailure("", e.getMessage(), false);
            }
            StoredUser u = v.user(c.user());
            if (u == null) {
                throw new AuthFailure(c.user(), "user " + c.user() + " no longer exists", false);
            }
            // A node that has not applied a password change yet sees an older generation: the
            // token is newer than its view, not stale.
            if (u.getGeneration() > c.generation()) {
                throw new AuthFailure(c.user(), "the password of user " + c.user() + " changed since this token "
                        + "was issued; authenticate again", false);
            }
            return c.user();
        }
        if (clientCert != null) {
            String cn = CertNames.commonName(clientCert);
            if (cn != null && v.user(cn) != null) {
                return cn;
            }
            throw new AuthFailure(cn == null ? "" : cn, "the client certificate's common name " + cn
                    + " is not a user", false);
        }
        throw new AuthFailure("", "auth is enabled: authenticate (user and password) or present a client "
                + "certificate whose common name is a user", false);
    }

    /** Checks a password and issues a token; slowed down per user after failures. */
    public Tokens.Claims authenticate(AuthView v, String user, String password) throws AuthFailure {
        long wait = limiter.waitMillis(user);
        if (wait > 0) {
            throw new AuthFailure(user, "too many failed logins for user " + user + "; retry in " + wait + " ms",
                    true);
        }
        StoredUser u = v.user(user);
        if (u == null || !u.hasPassword() || !Passwords.matches(password, u.getPassword())) {
            limiter.failed(user);
            throw new AuthFailure(user, "wrong user name or password", false);
        }
        limiter.succeeded(user);
        return new Tokens.Claims(user, u.getGeneration(), clock.getAsLong() + tokenTtl.toMillis());
    }

    public String issue(AuthView v, Tokens.Claims c) {
        return Tokens.issue(v.data().getTokenSecret().toByteArray(), c);
    }
}
