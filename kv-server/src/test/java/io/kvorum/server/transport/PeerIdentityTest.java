package io.kvorum.server.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.kvorum.proto.peer.v1.PeerServiceGrpc;
import io.kvorum.proto.peer.v1.RaftBatch;
import io.kvorum.proto.peer.v1.SnapshotOffsetRequest;
import io.kvorum.proto.peer.v1.StreamAck;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What the peer port says to callers that are not who they should be, at the gRPC level. */
@Timeout(30)
class PeerIdentityTest {
    @TempDir
    Path tmp;
    private Nodes nodes;
    private ManagedChannel channel;

    @BeforeEach
    void setUp() {
        nodes = new Nodes(tmp);
        PeerTransport server = nodes.start(1, "alpha", 0, TransportConfig.defaults());
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        nodes.close();
    }

    private Status openStream(String cluster, long from, long to) throws Exception {
        CompletableFuture<Status> outcome = new CompletableFuture<>();
        StreamObserver<RaftBatch> requests = PeerServiceGrpc.newStub(channel)
                .withInterceptors(PeerHeaders.attach(cluster, from, to))
                .stream(new StreamObserver<>() {
                    @Override
                    public void onNext(StreamAck ack) {
                        outcome.complete(Status.OK.withDescription("accepted by node " + ack.getNodeId()
                                + " of " + ack.getClusterId()));
                    }

                    @Override
                    public void onError(Throwable t) {
                        outcome.complete(Status.fromThrowable(t));
                    }

                    @Override
                    public void onCompleted() {
                        outcome.complete(Status.OK);
                    }
                });
        try {
            return outcome.get(10, TimeUnit.SECONDS);
        } finally {
            requests.onError(Status.CANCELLED.asException());
        }
    }

    @Test
    void aNodeOfTheSameClusterIsAcceptedAndTold() throws Exception {
        Status s = openStream("alpha", 2, 1);
        assertEquals(Status.Code.OK, s.getCode());
        assertEquals("accepted by node 1 of alpha", s.getDescription());
    }

    @Test
    void aNodeOfAnotherClusterIsRefusedNamingBothClusters() throws Exception {
        Status s = openStream("beta", 2, 1);
        assertEquals(Status.Code.FAILED_PRECONDITION, s.getCode());
        assertTrue(s.getDescription().contains("'beta'") && s.getDescription().contains("'alpha'"), s.getDescription());
        assertTrue(s.getDescription().contains("node 2") && s.getDescription().contains("node 1"), s.getDescription());
    }

    @Test
    void aCallerThatMeantAnotherNodeIsRefused() throws Exception {
        Status s = openStream("alpha", 2, 3);
        assertEquals(Status.Code.FAILED_PRECONDITION, s.getCode());
        assertTrue(s.getDescription().contains("dialled node 3 but reached node 1"), s.getDescription());
    }

    @Test
    void snapshotCallsAreCheckedToo() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> PeerServiceGrpc
                .newBlockingStub(channel).withInterceptors(PeerHeaders.attach("beta", 2, 1))
                .snapshotOffset(SnapshotOffsetRequest.getDefaultInstance()));
        assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
    }

    @Test
    void aCallerWithoutIdentityIsRefused() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> PeerServiceGrpc
                .newBlockingStub(channel).snapshotOffset(SnapshotOffsetRequest.getDefaultInstance()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    }

    @Test
    void aMalformedSnapshotHeaderIsRejected() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> PeerServiceGrpc
                .newBlockingStub(channel).withInterceptors(PeerHeaders.attach("alpha", 2, 1))
                .snapshotOffset(SnapshotOffsetRequest.getDefaultInstance()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    }
}
