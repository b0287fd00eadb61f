package io.kvorum.server.api;

import io.kvorum.server.auth.Passwords;
import io.kvorum.server.tls.ReloadingTls;
import java.time.Duration;

/**
 * Transport security and authentication settings of the client port.
 *
 * @param tls                TLS for the client port, or null for plaintext
 * @param requireClientCert  callers must present a certificate of the CA (mutual TLS)
 * @param tokenTtl           how long an issued auth token is accepted
 * @param passwordIterations PBKDF2 iterations for new password hashes
 * @param breakGlass         recovery mode: this node checks no credentials or rights; only
 *                           allowed on a loopback client address (see docs/security.md)
 */
public record ClientSecurity(ReloadingTls tls, boolean requireClientCert, Duration tokenTtl, int passwordIterations,
                             boolean breakGlass) {
    public static final Duration DEFAULT_TOKEN_TTL = Duration.ofMinutes(5);

    public ClientSecurity {
        if (requireClientCert && tls == null) {
            throw new IllegalArgumentException("client certificate auth needs TLS on the client port");
        }
        if (tokenTtl.isNegative() || tokenTtl.isZero() || passwordIterations < 1) {
            throw new IllegalArgumentException("token TTL and password iterations must be positive");
        }
    }

    /** Plaintext, production token TTL and hash strength. */
    public static ClientSecurity plaintext() {
        return new ClientSecurity(null, false, DEFAULT_TOKEN_TTL, Passwords.DEFAULT_ITERATIONS, false);
    }

    /** TLS (or null) with production token TTL and hash strength. */
    public static ClientSecurity of(ReloadingTls tls, boolean requireClientCert, Duration tokenTtl,
                                    int passwordIterations) {
        return new ClientSecurity(tls, requireClientCert, tokenTtl, passwordIterations, false);
    }
}
