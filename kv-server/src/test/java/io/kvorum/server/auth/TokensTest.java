package io.kvorum.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.proto.internal.v1.PasswordHash;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TokensTest {
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OTHER = "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.US_ASCII);

    @Test
    void aTokenVerifiesUntilItExpiresAndOnlyUnderItsSecret() throws Exception {
        String t = Tokens.issue(SECRET, new Tokens.Claims("alice", 3, 5000));
        assertEquals(new Tokens.Claims("alice", 3, 5000), Tokens.verify(SECRET, t, 4999));
        Tokens.InvalidTokenException expired = assertThrows(Tokens.InvalidTokenException.class,
                () -> Tokens.verify(SECRET, t, 5000));
        assertTrue(expired.getMessage().contains("expired"), expired.getMessage());
        assertThrows(Tokens.InvalidTokenException.class, () -> Tokens.verify(OTHER, t, 0));
        String other = Tokens.issue(SECRET, new Tokens.Claims("mallory", 3, 5000));
        String forged = other.substring(0, other.indexOf('.')) + t.substring(t.indexOf('.'));
        assertThrows(Tokens.InvalidTokenException.class, () -> Tokens.verify(SECRET, forged, 0));
        assertThrows(Tokens.InvalidTokenException.class, () -> Tokens.verify(SECRET, "garbage", 0));
    }

    @Test
    void passwordsAreSaltedAndChecked() {
        PasswordHash a = Passwords.hash("s3cret", 1000);
        PasswordHash b = Passwords.hash("s3cret", 1000);
        assertTrue(!a.getSalt().equals(b.getSalt()) && !a.getHash().equals(b.getHash()), "a fresh salt per hash");
        assertTrue(Passwords.matches("s3cret", a));
        assertTrue(!Passwords.matches("s3cret!", a));
    }
}
