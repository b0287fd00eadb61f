package io.kvorum.server.auth;

import com.google.protobuf.ByteString;
import io.kvorum.proto.internal.v1.PasswordHash;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Salted slow password hashes: PBKDF2 with HMAC-SHA256 from the JDK, a 16-byte random salt
 * per hash and the iteration count stored with it, so the count can be raised later without
 * invalidating stored hashes. The plain password never leaves the node that received it.
 */
public final class Passwords {
    /** OWASP's 2023 floor for PBKDF2-HMAC-SHA256 is 600,000; this is the production default. */
    public static final int DEFAULT_ITERATIONS = 600_000;
    private static final int SALT_BYTES = 16;
    private static final int HASH_BITS = 256;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Passwords() {
    }

    public static PasswordHash hash(String password, int iterations) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        return PasswordHash.newBuilder().setSalt(ByteString.copyFrom(salt))
                .setHash(ByteString.copyFrom(derive(password, salt, iterations))).setIterations(iterations).build();
    }

    /** Whether {@code password} matches {@code stored}, compared in constant time. */
    public static boolean matches(String password, PasswordHash stored) {
        if (stored.getIterations() <= 0 || stored.getHash().isEmpty()) {
            return false;
        }
        byte[] actual = derive(password, stored.getSalt().toByteArray(), stored.getIterations());
        return MessageDigest.isEqual(actual, stored.getHash().toByteArray());
    }

    private static byte[] derive(String password, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, HASH_BITS);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no PBKDF2WithHmacSHA256", e);
        } finally {
            spec.clearPassword();
        }
    }
}
