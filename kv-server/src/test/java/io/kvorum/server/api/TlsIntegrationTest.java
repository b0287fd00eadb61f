package io.kvorum.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.kvorum.proto.internal.v1.AuthData;
import io.kvorum.proto.v1.AuthEnableRequest;
import io.kvorum.proto.v1.AuthGrpc;
import io.kvorum.proto.v1.AuthenticateRequest;
import io.kvorum.proto.v1.CreateRequest;
import io.kvorum.proto.v1.GetRequest;
import io.kvorum.proto.v1.KVGrpc;
import io.kvorum.proto.v1.Permission;
import io.kvorum.proto.v1.PermissionType;
import io.kvorum.proto.v1.RoleAddRequest;
import io.kvorum.proto.v1.RoleGrantPermissionRequest;
import io.kvorum.proto.v1.SetRequest;
import io.kvorum.proto.v1.UserAddRequest;
import io.kvorum.proto.v1.UserGrantRoleRequest;
import io.kvorum.server.testing.InJvmCluster;
import io.kvorum.server.testing.TestPki;
import io.kvorum.server.testing.TlsChannels;
import io.kvorum.server.testing.TlsRefusals;
import io.kvorum.server.tls.ReloadingTls;
import io.kvorum.server.tls.TlsFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real TLS handshakes on loopback: a three-node cluster whose peers talk mutual TLS and whose
 * client ports are TLS only; auth changes made there reach every node as the same record.
 */
@Timeout(120)
class TlsIntegrationTest {
    @TempDir
    Path tmp;
    private InJvmCluster cluster;
    private final Map<Long, ReloadingTls> tls = new HashMap<>();

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private InJvmCluster start(TestPki pki, boolean requireClientCert) throws Exception {
        TestPki.CertFiles client = pki.client("harness");
        for (long id = 1; id <= 3; id++) {
            TestPki.CertFiles f = pki.node(id);
            tls.put(id, ReloadingTls.load(new TlsFiles(f.cert(), f.key(), f.ca()), "node " + id));
        }
        cluster = new InJvmCluster(tmp.resolve("data"), 3, "secure")
                .peerTls(tls::get)
                .security(id -> ClientSecurity.of(tls.get(id), requireClientCert, ClientSecurity.DEFAULT_TOKEN_TTL,
                        1000))
                .channels(id -> TlsChannels.to(cluster.clientPort(id), pki.caFile(), client));
        cluster.startAll();
        return cluster;
    }

    @Test
    void writesReplicateOverMutualTlsAndFollowersServeThem() throws Exception {
        start(TestPki.create(tmp.resolve("pki"), "a"), false);
        long leader = cluster.awaitLeader();
        cluster.kv(leader).create(CreateRequest.newBuilder().setPath("/tls").setData(ByteString.copyFromUtf8("x"))
                .build());
        long follower = cluster.other(leader);
        assertEquals("x", cluster.kv(follower).get(GetRequest.newBuilder().setPath("/tls").build())
                .getData().toStringUtf8());
    }

    @Test
    void authChangesReachEveryNodeAsTheSameRecordAndATokenIsCheckedByAnyNode() throws Exception {
        start(TestPki.create(tmp.resolve("pki"), "a"), false);
        long leader = cluster.awaitLeader();
        cluster.kv(leader).create(CreateRequest.newBuilder().setPath("/tls").build());
        AuthGrpc.AuthBlockingStub auth = AuthGrpc.newBlockingStub(cluster.node(leader).channel())
                .withDeadlineAfter(10, TimeUnit.SECONDS);
        auth.userAdd(UserAddRequest.newBuilder().setName("root").setPassword("root-pw").build());
        auth.userGrantRole(UserGrantRoleRequest.newBuilder().setUser("root").setRole("root").build());
        auth.roleAdd(RoleAddRequest.newBuilder().setName("tls-ro").build());
        auth.roleGrantPermission(RoleGrantPermissionRequest.newBuilder().setRole("tls-ro").setPermission(
                Permission.newBuilder().setType(PermissionType.READ).setKey("/tls/").setPrefix(true)).build());
        auth.userAdd(UserAddRequest.newBuilder().setName("alice").setPassword("alice-pw").build());
        auth.userGrantRole(UserGrantRoleRequest.newBuilder().setUser("alice").setRole("tls-ro").build());
        auth.authEnable(AuthEnableRequest.getDefaultInstance());
        AuthData record = cluster.node(leader).state().auth().current();
        assertTrue(record.getEnabled());
        // Users, roles, hashes, the switch and the token key: the same record on every node.
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> cluster.runningIds().stream()
                .allMatch(id -> cluster.node(id).state().auth().current().equals(record)));

        // A token issued by the leader is checked by each node from memory, against the same rights.
        String token = AuthGrpc.newBlockingStub(cluster.node(leader).channel()).withDeadlineAfter(10, TimeUnit.SECONDS)
                .authenticate(AuthenticateRequest.newBuilder().setUser("alice").setPassword("alice-pw").build())
                .getToken();
        Metadata bearer = new Metadata();
        bearer.put(AccessInterceptor.AUTHORIZATION, "Bearer " + token);
        for (long id : cluster.runningIds()) {
            KVGrpc.KVBlockingStub alice = KVGrpc.newBlockingStub(cluster.node(id).channel())
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer))
                    .withDeadlineAfter(10, TimeUnit.SECONDS);
            assertTrue(alice.get(GetRequest.newBuilder().setPath("/tls").build()).hasStat(), "node " + id);
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> alice.create(CreateRequest.newBuilder().setPath("/tls/x").build()));
            assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode(), "node " + id + ": " + e);
        }
    }

    @Test
    void aPlaintextClientIsRefusedWithAnErrorSayingTls() throws Exception {
        start(TestPki.create(tmp.resolve("pki"), "a"), false);
        long leader = cluster.awaitLeader();
        ManagedChannel plain = NettyChannelBuilder.forAddress("127.0.0.1", cluster.clientPort(leader)).usePlaintext()
                .build();
        try {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> KVGrpc.newBlockingStub(plain)
                    .withDeadlineAfter(10, TimeUnit.SECONDS).get(GetRequest.newBuilder().setPath("/").build()));
            assertTrue(e.getMessage().contains("requires TLS"), e.getMessage());
        } finally {
            plain.shutdownNow();
        }
    }

    @Test
    void aClientTrustingAnotherCaRefusesTheServer() throws Exception {
        start(TestPki.create(tmp.resolve("pki"), "a"), false);
        long leader = cluster.awaitLeader();
        TestPki other = TestPki.create(tmp.resolve("other"), "b");
        ManagedChannel ch = TlsChannels.to(cluster.clientPort(leader), other.caFile(), null);
        try {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> KVGrpc.newBlockingStub(ch)
                    .withDeadlineAfter(10, TimeUnit.SECONDS).get(GetRequest.newBuilder().setPath("/").build()));
            assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
            assertTrue(String.valueOf(causes(e)).contains("certification path"), causes(e));
        } finally {
            ch.shutdownNow();
        }
    }

    @Test
    void clientCertificatesRequiredRefuseClientsWithoutOneFromAnotherCaOrExpired() throws Exception {
        TestPki pki = TestPki.create(tmp.resolve("pki"), "a");
        start(pki, true);
        long leader = cluster.awaitLeader();
        assertTrue(cluster.kv(leader).get(GetRequest.newBuilder().setPath("/").build()).hasStat(),
                "a client with a certificate of the CA is served");
        TestPki other = TestPki.create(tmp.resolve("other"), "b");
        // What the node logs for each: a client holding only a certificate of another CA sends
        // none, since the node names the CAs it accepts.
        String none = "presented no certificate signed by this port's CA";
        List<Map.Entry<TestPki.CertFiles, String>> refused = java.util.Arrays.asList(
                new java.util.AbstractMap.SimpleEntry<>(null, none),
                Map.entry(other.client("mallory"), none),
                Map.entry(pki.expiredNode(9), "CertificateExpiredException"));
        for (Map.Entry<TestPki.CertFiles, String> c : refused) {
            ManagedChannel ch = TlsChannels.to(cluster.clientPort(leader), pki.caFile(), c.getKey());
            try (TlsRefusals log = new TlsRefusals()) {
                StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> KVGrpc.newBlockingStub(ch)
                        .withDeadlineAfter(10, TimeUnit.SECONDS).get(GetRequest.newBuilder().setPath("/").build()));
                assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), causes(e));
                log.await("refused a TLS connection to the client port from /127.0.0.1:", c.getValue());
            } finally {
                ch.shutdownNow();
            }
        }
    }

    @Test
    void rotatingTheCertificateUnderLoadLosesNoRequestAndNewConnectionsGetTheNewOne() throws Exception {
        TestPki pki = TestPki.create(tmp.resolve("pki"), "a");
        TestPki.CertFiles live = pki.node(1);
        ReloadingTls nodeTls = ReloadingTls.load(new TlsFiles(live.cert(), live.key(), live.ca()), "node 1");
        cluster = new InJvmCluster(tmp.resolve("data"), 1, "rotate").peerTls(id -> nodeTls)
                .security(id -> ClientSecurity.of(nodeTls, false, ClientSecurity.DEFAULT_TOKEN_TTL, 1000))
                .channels(id -> TlsChannels.to(cluster.clientPort(id), pki.caFile(), null));
        cluster.startAll();
        cluster.awaitLeader();
        int port = cluster.clientPort(1);
        AtomicLong ok = new AtomicLong();
        AtomicLong freshOk = new AtomicLong();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        Thread load = new Thread(() -> {
            KVGrpc.KVBlockingStub kv = cluster.kv(1);
            for (long i = 0; !stop.get(); i++) {
                try {
                    kv.set(SetRequest.newBuilder().setPath("/").setData(ByteString.copyFromUtf8("v" + i))
                            .setExpectedVersion(-1).build());
                    ok.incrementAndGet();
                    if (i % 10 == 0) {
                        // A new connection: a new handshake, with whatever certificate is current.
                        ManagedChannel fresh = TlsChannels.to(port, pki.caFile(), null);
                        try {
                            KVGrpc.newBlockingStub(fresh).withDeadlineAfter(10, TimeUnit.SECONDS)
                                    .get(GetRequest.newBuilder().setPath("/").build());
                            freshOk.incrementAndGet();
                        } finally {
                            fresh.shutdownNow();
                        }
                    }
                } catch (RuntimeException e) {
                    failures.add(e);
                }
            }
        }, "rotation-load");
        load.start();
        try {
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> ok.get() >= 30);
            TestPki.replace(pki.nodeNamed("node-1-next", "node-1"), live);
            assertTrue(nodeTls.reload(), "the rotated files load");
            long atRotation = ok.get();
            long freshAtRotation = freshOk.get();
            Awaitility.await().atMost(Duration.ofSeconds(60))
                    .until(() -> ok.get() >= atRotation + 30 && freshOk.get() >= freshAtRotation + 3);
        } finally {
            stop.set(true);
            load.join(30_000);
        }
        assertTrue(failures.isEmpty(), "requests failed during rotation: " + failures);
        assertEquals(live.cert().toString(), nodeTls.files().cert().toString());
        assertEquals(serialOf(pki.caFile(), port), nodeTls.certificate().getSerialNumber(),
                "a new handshake gets the rotated certificate");
    }

    /** The serial number of the certificate a fresh TLS handshake with the port presents. */
    private static java.math.BigInteger serialOf(Path ca, int port) throws Exception {
        java.security.KeyStore ts = java.security.KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        try (var in = java.nio.file.Files.newInputStream(ca)) {
            ts.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(in));
        }
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
        tmf.init(ts);
        javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1",
                port)) {
            javax.net.ssl.SSLParameters p = s.getSSLParameters();
            p.setApplicationProtocols(new String[] {"h2"});
            s.setSSLParameters(p);
            s.startHandshake();
            return ((java.security.cert.X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }

    static String causes(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            b.append(c).append(" <- ");
        }
        return b.toString();
    }
}
