package io.kvorum.client.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kvorum.client.KvorumClient;
import io.kvorum.client.PermissionDeniedException;
import io.kvorum.client.UnauthenticatedException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** KvorumClient over TLS with a user and password against a node with auth enabled. */
@Timeout(120)
class SecureClientIntegrationTest {
    @TempDir
    Path tmp;

    @Test
    void aClientWithTlsAndCredentialsWorksWithinItsRightsOnly() throws Exception {
        try (SecureItCluster secure = SecureItCluster.start(tmp, "secure-client", Duration.ofSeconds(4))) {
            secure.role("app", "/app/");
            secure.user("alice", "app");
            secure.enableAuth();

            try (KvorumClient alice = secure.client("alice")) {
                alice.create("/app", new byte[0]);
                alice.create("/app/k", "v".getBytes(StandardCharsets.UTF_8));
                // Past the token's 4 s lifetime: the client renews it on its own.
                for (long end = System.nanoTime() + 6_000_000_000L; System.nanoTime() < end; ) {
                    assertArrayEquals("v".getBytes(StandardCharsets.UTF_8), alice.get("/app/k").data());
                }
                assertThrows(PermissionDeniedException.class, () -> alice.create("/elsewhere", new byte[0]));
            }
            try (KvorumClient wrong = secure.builder().credentials("alice", "not-her-password").build()) {
                assertThrows(UnauthenticatedException.class, () -> wrong.get("/app/k"));
            }
        }
    }
}
