package io.kvorum.client.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.client.KvorumClient;
import io.kvorum.client.PermissionDeniedException;
import io.kvorum.client.recipes.DistributedLock;
import io.kvorum.client.recipes.ServiceInstance;
import io.kvorum.client.recipes.ServiceRegistration;
import io.kvorum.client.recipes.ServiceRegistry;
import io.kvorum.server.api.ClientSecurity;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lock and service-registry recipes over TLS with auth on: a user with read-write on the
 * recipe's prefix only (no root) takes, waits for and hands over a lock and registers and reads
 * a service instance; a user without that right is refused PERMISSION_DENIED at the first step.
 */
@Timeout(120)
class SecureRecipesIntegrationTest {
    @TempDir
    Path tmp;

    @Test
    void theRecipesWorkWithPrefixRightsAndAreRefusedWithout() throws Exception {
        try (SecureItCluster secure = SecureItCluster.start(tmp, "secure-recipes", ClientSecurity.DEFAULT_TOKEN_TTL)) {
            secure.role("recipes", "/locks/", "/services/");
            secure.user("worker", "recipes");
            secure.user("stranger");
            secure.enableAuth();

            try (KvorumClient one = secure.client("worker");
                 KvorumClient two = secure.client("worker");
                 KvorumClient stranger = secure.client("stranger")) {
                DistributedLock first = new DistributedLock(one, "/locks/job");
                DistributedLock second = new DistributedLock(two, "/locks/job");
                assertTrue(first.acquire(Duration.ofSeconds(30)), "the lock is free");
                assertFalse(second.acquire(Duration.ofMillis(500)), "the lock is held by the other session");
                long firstToken = first.fencingToken();
                first.release();
                assertTrue(second.acquire(Duration.ofSeconds(30)), "released, it passes to the next");
                assertTrue(second.fencingToken() > firstToken, "fencing tokens increase");
                second.release();
                assertThrows(PermissionDeniedException.class,
                        () -> new DistributedLock(stranger, "/locks/job").acquire(Duration.ofSeconds(30)));

                ServiceRegistry registry = new ServiceRegistry(one);
                try (ServiceRegistration ignored = registry.register(ServiceInstance.of("web", "10.0.0.1", 8080))) {
                    assertEquals(List.of("web"), new ServiceRegistry(two).services());
                    assertEquals(1, new ServiceRegistry(two).readInstances("web").size());
                }
                assertThrows(PermissionDeniedException.class, () -> new ServiceRegistry(stranger)
                        .register(ServiceInstance.of("web", "10.0.0.2", 8080)));
                assertThrows(PermissionDeniedException.class, () -> new ServiceRegistry(stranger).services());
            }
        }
    }
}
