package io.kvorum.client.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.ManagedChannel;
import io.kvorum.client.KvorumClient;
import io.kvorum.client.PermissionDeniedException;
import io.kvorum.client.UnauthenticatedException;
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
        TestPki pki = TestPki.create(tmp.resolve("pki"), "client-it");
        TestPki.CertFiles node = pki.node(1);
        ReloadingTls tls = ReloadingTls.load(new TlsFiles(node.cert(), node.key(), node.ca()), "node 1");
        try (InJvmCluster cluster = new InJvmCluster(tmp.resolve("data"), 1, "secure-client")) {
            cluster.peerTls(id -> tls).security(id -> ClientSecurity.of(tls, false, Duration.ofSeconds(4), 1000))
                    .channels(id -> TlsChannels.to(cluster.clientPort(id), pki.caFile(), null));
            cluster.startAll();
            cluster.awaitLeader();
            ManagedChannel admin = cluster.node(1).channel();
            AuthGrpc.AuthBlockingStub auth = AuthGrpc.newBlockingStub(admin);
            auth.userAdd(UserAddRequest.newBuilder().setName("root").setPassword("root-pw").build());
            auth.userGrantRole(UserGrantRoleRequest.newBuilder().setUser("root").setRole("root").build());
            auth.userAdd(UserAddRequest.newBuilder().setName("alice").setPassword("alice-pw").build());
            auth.roleAdd(RoleAddRequest.newBuilder().setName("app").build());
            auth.roleGrantPermission(RoleGrantPermissionRequest.newBuilder().setRole("app").setPermission(
                    Permission.newBuilder().setType(PermissionType.READWRITE).setKey("/app/").setPrefix(true)).build());
            auth.userGrantRole(UserGrantRoleRequest.newBuilder().setUser("alice").setRole("app").build());
            auth.authEnable(AuthEnableRequest.getDefaultInstance());

            try (KvorumClient alice = ItClients.builder(cluster).tls(pki.caFile(), null, null)
                    .credentials("alice", "alice-pw").build()) {
                alice.create("/app", new byte[0]);
                alice.create("/app/k", "v".getBytes(StandardCharsets.UTF_8));
                // Past the token's 4 s lifetime: the client renews it on its own.
                for (long end = System.nanoTime() + 6_000_000_000L; System.nanoTime() < end; ) {
                    assertArrayEquals("v".getBytes(StandardCharsets.UTF_8), alice.get("/app/k").data());
                }
                assertThrows(PermissionDeniedException.class, () -> alice.create("/elsewhere", new byte[0]));
            }
            try (KvorumClient wrong = ItClients.builder(cluster).tls(pki.caFile(), null, null)
                    .credentials("alice", "not-her-password").build()) {
                assertThrows(UnauthenticatedException.class, () -> wrong.get("/app/k"));
            }
        }
    }
}
