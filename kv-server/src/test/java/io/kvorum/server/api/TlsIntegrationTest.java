package io.kvorum.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.kvorum.proto.v1.CreateRequest;
import io.kvorum.proto.v1.GetRequest;
import io.kvorum.proto.v1.KVGrpc;
import io.kvorum.server.testing.InJvmCluster;
import io.kvorum.server.testing.TestPki;
import io.kvorum.server.testing.TlsChannels;
import io.kvorum.server.tls.ReloadingTls;
import io.kvorum.server.tls.TlsFiles;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real TLS handshakes on loopback: a three-node cluster whose peers talk mutual TLS and whose
 * client ports are TLS only.
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
    void clientCertificatesRequiredRefuseClientsWithoutOneOrFromAnotherCa() throws Exception {
        TestPki pki = TestPki.create(tmp.resolve("pki"), "a");
        start(pki, true);
        long leader = cluster.awaitLeader();
        assertTrue(cluster.kv(leader).get(GetRequest.newBuilder().setPath("/").build()).hasStat(),
                "a client with a certificate of the CA is served");
        TestPki other = TestPki.create(tmp.resolve("other"), "b");
        for (TestPki.CertFiles cert : new TestPki.CertFiles[] {null, other.client("mallory")}) {
            ManagedChannel ch = TlsChannels.to(cluster.clientPort(leader), pki.caFile(), cert);
            try {
                StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> KVGrpc.newBlockingStub(ch)
                        .withDeadlineAfter(10, TimeUnit.SECONDS).get(GetRequest.newBuilder().setPath("/").build()));
                assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), causes(e));
            } finally {
                ch.shutdownNow();
            }
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
