package io.kvorum.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Bearer tokens: {@code base64url(user \n generation \n expiresAtMillis) "." base64url(HMAC-SHA256)}
 * under the cluster's token secret, which is replicated with the auth state. Any node checks a
 * token from memory: no disk read, no consensus round. A token dies when it expires, when its
 * user's password changes (the generation moves) or the user is deleted, and when auth is
 * enabled again (a new secret).
 */
public final class Tokens {
    private static final Base64.Encoder ENC = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DEC = Base64.getUrlDecoder();

    /** What a valid token says. */
    public record Claims(String user, long generation, long expiresAtMillis) {
    }

    private Tokens() {
    }

    public static String issue(byte[] secret, Claims c) {
        byte[] payload = (c.user() + "\n" + c.generation() + "\n" + c.expiresAtMillis())
                .getBytes(StandardCharsets.UTF_8);
        return ENC.encodeToString(payload) + "." + ENC.encodeToString(mac(secret, payload));
    }

    /**
     * The claims of {@code token} if its signature is right and it has not expired at
     * {@code nowMillis}; else an exception whose message says which.
     */
    public static Claims verify(byte[] secret, String token, long nowMillis) throws InvalidTokenException {
        int dot = token.indexOf('.');
        if (dot <= 0) {
            throw new InvalidTokenException("malformed token");
        }
        byte[] payload;
        byte[] sig;
        try {
            payload = DEC.decode(token.substring(0, dot));
            sig = DEC.decode(token.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            throw new InvalidTokenException("malformed token");
        }
        if (!MessageDigest.isEqual(sig, mac(secret, payload))) {
            throw new InvalidTokenException("token signature is not valid (issued by another cluster, or before "
                    + "auth was last enabled)");
        }
        String[] parts = new String(payload, StandardCharsets.UTF_8).split("\n", -1);
        if (parts.length != 3) {
            throw new InvalidTokenException("malformed token");
        }
        Claims c;
        try {
            c = new Claims(parts[0], Long.parseLong(parts[1]), Long.parseLong(parts[2]));
        } catch (NumberFormatException e) {
            throw new InvalidTokenException("malformed token");
        }
        if (nowMillis >= c.expiresAtMillis()) {
            throw new InvalidTokenException("token of user " + c.user() + " expired; authenticate again");
        }
        return c;
    }

    private static byte[] mac(byte[] secret, byte[] payload) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(secret, "HmacSHA256"));
            return m.doFinal(payload);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no HmacSHA256", e);
        }
    }

    /** A token that is not (or no longer) accepted; the message says why. */
    public static final class InvalidTokenException extends Exception {
        public InvalidTokenException(String message) {
            super(message, null, false, false);
        }
    }
}
