package io.kvorum.server.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.kvorum.proto.peer.v1.PeerServiceGrpc;
import io.kvorum.proto.peer.v1.RaftBatch;
import io.kvorum.proto.peer.v1.StreamAck;
import io.kvorum.server.raft.MessageType;
import io.kvorum.server.testing.TestPki;
import io.kvorum.server.testing.TlsRefusals;
import io.kvorum.server.tls.ReloadingTls;
import io.kvorum.server.tls.TlsFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS on the peer port with real handshakes: who gets in and who is refused, and why;
 * a refused handshake is logged on the receiving node with the reason.
 */
@Timeout(120)
class PeerTlsTest {
    @TempDir
    Path tmp;

    private static TransportConfig tls(TestPki.CertFiles f) {
        return TransportConfig.builder().tls(ReloadingTls.load(new TlsFiles(f.cert(), f.key(), f.ca()), "peer port"))
                .build();
    }

    @Test
    void peersWithCertificatesOfTheClusterCaExchangeMessages() {
        TestPki pki = TestPki.create(tmp.resolve("pki"), "a");
        try (Nodes nodes = new Nodes(tmp)) {
            nodes.start(1, Nodes.CLUSTER, 0, tls(pki.node(1)));
            nodes.start(2, Nodes.CLUSTER, 0, tls(pki.node(2)));
            nodes.connectAll();
            nodes.get(2).send(java.util.List.of(Nodes.heartbeat(2, 1, 7)));
            Awaitility.await().atMost(Duration.ofSeconds(60))
                    .until(() -> !nodes.inbox(1).from(2, MessageType.HEARTBEAT).isEmpty());
        }
    }

    @Test
    void aPeerWhoseCertificateNamesAnotherNodeIsRefusedSayingSo() throws Exception {
        TestPki pki = TestPki.create(tmp.resolve("pki"), "a");
        try (Nodes nodes = new Nodes(tmp)) {
            PeerTransport one = nodes.start(1, Nodes.CLUSTER, 0, tls(pki.node(1)));
            TestPki.CertFiles two = pki.node(2);
            assertEquals(Status.Code.OK, openStream(one.port(), pki.caFile(), two, 2).getCode(),
                    "node 2 with its own certificate gets in");
            Status impersonating = openStream(one.port(), pki.caFile(), two, 3);
            assertEquals(Status.Code.PERMISSION_DENIED, impersonating.getCode(), impersonating.toString());
            assertTrue(impersonating.getDescription().contains("claims to be node 3 but its certificate names"),
                    impersonating.getDescription());
        }
    }

    @Test
    void aPeerWithACertificateOfAnotherCaFailsTheHandshakeAndTheRefusalIsLogged() throws Exception {
        TestPki pki = TestPki.create(tmp.resolve("pki"), "a");
        TestPki other = TestPki.create(tmp.resolve("other"), "b");
        try (Nodes nodes = new Nodes(tmp); TlsRefusals refusals = new TlsRefusals()) {
            PeerTransport one = nodes.start(1, Nodes.CLUSTER, 0, tls(pki.node(1)));
            Status s = openStream(one.port(), pki.caFile(), other.node(2), 2);
            assertEquals(Status.Code.UNAVAILABLE, s.getCode(), s.toString());
            refusals.await("refused a TLS connection to the peer port from /127.0.0.1:",
                    "presented no certificate signed by this port's CA");
        }
    }

    @Test
    void aPeerWithAnExpiredCertificateFailsTheHandshakeAndTheRefusalIsLogged() throws Exception {
        TestPki pki = TestPki.create(tmp.resolve("pki"), "a");
        try (Nodes nodes = new Nodes(tmp); TlsRefusals refusals = new TlsRefusals()) {
            PeerTransport one = nodes.start(1, Nodes.CLUSTER, 0, tls(pki.node(1)));
            Status s = openStream(one.port(), pki.caFile(), pki.expiredNode(2), 2);
            assertEquals(Status.Code.UNAVAILABLE, s.getCode(), s.toString());
            refusals.await("refused a TLS connection to the peer port from /127.0.0.1:", "CertificateExpiredException");
        }
    }

    /** Opens a peer stream to node 1 presenting {@code cert} and claiming to be {@code from}. */
    private static Status openStream(int port, Path ca, TestPki.CertFiles cert, long from) throws Exception {
        ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", port).overrideAuthority("node-1")
                .sslContext(GrpcSslContexts.forClient().trustManager(ca.toFile())
                        .keyManager(cert.cert().toFile(), cert.key().toFile()).build()).build();
        try {
            CompletableFuture<Status> outcome = new CompletableFuture<>();
            StreamObserver<RaftBatch> requests = PeerServiceGrpc.newStub(ch)
                    .withInterceptors(PeerHeaders.attach(Nodes.CLUSTER, from, 1))
                    .stream(new StreamObserver<>() {
                        @Override
                        public void onNext(StreamAck ack) {
                            outcome.complete(Status.OK);
                        }

                        @Override
                        public void onError(Throwable t) {
                            outcome.complete(Status.fromThrowable(t));
                        }

                        @Override
                        public void onCompleted() {
                            outcome.complete(Status.UNKNOWN.withDescription("closed without an answer"));
                        }
                    });
            Status s = outcome.get(60, TimeUnit.SECONDS);
            requests.onCompleted();
            return s;
        } finally {
            ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
