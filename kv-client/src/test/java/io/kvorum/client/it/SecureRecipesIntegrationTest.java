package io.kvorum.client.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.kvorum.client.KvorumClient;
import io.kvorum.client.PermissionDeniedException;
import io.kvorum.client.recipes.DistributedLock;
import io.kvorum.client.recipes.ServiceInstance;
import io.kvorum.client.recipes.ServiceRegistration;
import io.kvorum.client.recipes.ServiceRegistry;
import io.kvorum.proto.v1.AuthEnableRequest;
import io.kvorum.proto.v1.AuthGrpc;
import io.kvorum.proto.v1.Permission;
import io.kvorum.proto.v1.PermissionType;
import io.kvorum.proto.v1.RoleAddRequest;
import io.kvorum.proto.v1.RoleGrantPermissionRequest;
import io.kvorum.proto.v1.UserAddRequest;
import io.kvorum.proto.v1.UserGrantRoleRequest;
import io.kvorum.server.api.ClientSecurity;
import io.kvorum.server.testing.InJvmCluster;
import io.kvorum.server.testing.TestPki;
import io.kvorum.server.testing.TlsChannels;
import io.kvorum.server.tls.ReloadingTls;
import io.kvorum.server.tls.TlsFiles;
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
        TestPki pki = TestPki.create(tmp.resolve("pki"), "recipes-it");
        TestPki.CertFiles node = pki.node(1);
        ReloadingTls tls = ReloadingTls.load(new TlsFiles(node.cert(), node.key(), node.ca()), "node 1");
        try (InJvmCluster cluster = new InJvmCluster(tmp.resolve("data"), 1, "secure-recipes")) {
            cluster.peerTls(id -> tls).security(id -> ClientSecurity.of(tls, false, ClientSecurity.DEFAULT_TOKEN_TTL,
                    1000)).channels(id -> TlsChannels.to(cluster.clientPort(id), pki.caFile(), null));
            cluster.startAll();
            cluster.awaitLeader();
            ManagedChannel admin = cluster.node(1).channel();
            AuthGrpc.AuthBlockingStub auth = AuthGrpc.newBlockingStub(admin);
            auth.userAdd(UserAddRequest.newBuilder().setName("root").setPassword("root-pw").build());
            auth.userGrantRole(UserGrantRoleRequest.newBuilder().setUser("root").setRole("root").build());
            auth.roleAdd(RoleAddRequest.newBuilder().setName("recipes").build());
            for (String prefix : List.of("/locks/", "/services/")) {
                auth.roleGrantPermission(RoleGrantPermissionRequest.newBuilder().setRole("recipes").setPermission(
                        Permission.newBuilder().setType(PermissionType.READWRITE).setKey(prefix).setPrefix(true))
                        .build());
            }
            auth.userAdd(UserAddRequest.newBuilder().setName("worker").setPassword("worker-pw").build());
            auth.userGrantRole(UserGrantRoleRequest.newBuilder().setUser("worker").setRole("recipes").build());
            auth.userAdd(UserAddRequest.newBuilder().setName("stranger").setPassword("stranger-pw").build());
            auth.authEnable(AuthEnableRequest.getDefaultInstance());

            try (KvorumClient one = client(cluster, pki, "worker");
                 KvorumClient two = client(cluster, pki, "worker");
                 KvorumClient stranger = client(cluster, pki, "stranger")) {
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

    private static KvorumClient client(InJvmCluster cluster, TestPki pki, String user) {
        return ItClients.builder(cluster).tls(pki.caFile(), null, null).credentials(user, user + "-pw").build();
    }
}
