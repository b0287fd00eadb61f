package io.kvorum.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Channel;
import io.kvorum.proto.v1.AuthEnableRequest;
import io.kvorum.proto.v1.AuthGrpc;
import io.kvorum.proto.v1.CreateRequest;
import io.kvorum.proto.v1.KVGrpc;
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
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS with client certificates required (--client-cert-auth), real handshakes on loopback:
 * a certificate's common name is the user the request acts as, with that user's rights; a
 * certificate naming no user is refused 401; a client without a certificate does not get past
 * the handshake.
 */
@Timeout(120)
class HttpsClientCertificateTest {
    @TempDir
    Path tmp;

    private static HttpClient client(SSLContext tls) {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(tls)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    private static HttpResponse<String> send(HttpClient client, HttpRequest.Builder b)
            throws IOException, InterruptedException {
        return client.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aClientCertificatesCommonNameIsTheUser() throws Exception {
        TestPki pki = TestPki.create(tmp.resolve("pki"), "https-client-cert");
        TestPki.CertFiles node = pki.node(1);
        ReloadingTls tls = ReloadingTls.load(new TlsFiles(node.cert(), node.key(), node.ca()), "node 1");
        TestPki.CertFiles admin = pki.client("root");
        try (InJvmCluster cluster = new InJvmCluster(tmp.resolve("data"), 1, "https-client-cert")) {
            cluster.peerTls(id -> tls).security(id -> ClientSecurity.of(tls, true, ClientSecurity.DEFAULT_TOKEN_TTL,
                    1000)).channels(id -> TlsChannels.to(cluster.clientPort(id), pki.caFile(), admin));
            cluster.startAll();
            cluster.awaitLeader();
            Channel open = cluster.node(1).channel();
            AuthGrpc.AuthBlockingStub auth = AuthGrpc.newBlockingStub(open);
            auth.userAdd(UserAddRequest.newBuilder().setName("root").setPassword("root-pw").build());
            auth.userGrantRole(UserGrantRoleRequest.newBuilder().setUser("root").setRole("root").build());
            auth.userAdd(UserAddRequest.newBuilder().setName("alice").setNoPassword(true).build());
            auth.roleAdd(RoleAddRequest.newBuilder().setName("app").build());
            auth.roleGrantPermission(RoleGrantPermissionRequest.newBuilder().setRole("app").setPermission(
                    Permission.newBuilder().setType(PermissionType.READWRITE).setKey("/app/").setPrefix(true)).build());
            auth.userGrantRole(UserGrantRoleRequest.newBuilder().setUser("alice").setRole("app").build());
            KVGrpc.newBlockingStub(open).create(CreateRequest.newBuilder().setPath("/app").build());
            auth.authEnable(AuthEnableRequest.getDefaultInstance());

            HttpApiServer server = new HttpApiServer(new InetSocketAddress("127.0.0.1", 0),
                    cluster.node(1).server().calls(), new CredentialsAccess(cluster.node(1).server().callerAccess()),
                    HttpApiServer.https(tls.jdkContext(), true), HttpApiServer.DEFAULT_MAX_WAITING);
            try {
                String base = "https://127.0.0.1:" + server.port();
                TestPki.CertFiles aliceCert = pki.client("alice");
                HttpClient alice = client(ReloadingTls.load(new TlsFiles(aliceCert.cert(), aliceCert.key(),
                        aliceCert.ca()), "alice").jdkContext());
                HttpResponse<String> created = send(alice, HttpRequest.newBuilder(URI.create(base + "/v1/nodes/app/k"))
                        .POST(HttpRequest.BodyPublishers.ofString("v")));
                assertEquals(201, created.statusCode(), created.body());
                HttpResponse<String> outside = send(alice, HttpRequest.newBuilder(URI.create(base + "/v1/nodes/k"))
                        .POST(HttpRequest.BodyPublishers.ofString("v")));
                assertEquals(403, outside.statusCode(), outside.body());
                assertTrue(outside.body().contains("user alice may not write /k"), outside.body());

                TestPki.CertFiles strangerCert = pki.client("mallory");
                HttpClient stranger = client(ReloadingTls.load(new TlsFiles(strangerCert.cert(), strangerCert.key(),
                        strangerCert.ca()), "mallory").jdkContext());
                HttpResponse<String> unknown = send(stranger, HttpRequest.newBuilder(URI.create(base
                        + "/v1/nodes/app/k")).GET());
                assertEquals(401, unknown.statusCode(), unknown.body());
                assertTrue(unknown.body().contains("mallory is not a user"), unknown.body());

                assertThrows(IOException.class, () -> send(client(pki.trustOnly()), HttpRequest.newBuilder(URI.create(base
                        + "/v1/nodes/app/k")).GET()));
            } finally {
                server.close();
            }
        }
    }
}
