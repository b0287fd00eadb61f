package io.kvorum.server.transport;

import io.grpc.StatusException;
import io.grpc.stub.StreamObserver;
import io.kvorum.proto.peer.v1.PeerServiceGrpc;
import io.kvorum.proto.peer.v1.RaftBatch;
import io.kvorum.proto.peer.v1.SnapshotAck;
import io.kvorum.proto.peer.v1.SnapshotChunk;
import io.kvorum.proto.peer.v1.SnapshotOffsetRequest;
import io.kvorum.proto.peer.v1.SnapshotOffsetResponse;
import io.kvorum.proto.peer.v1.StreamAck;

/**
 * The peer port's gRPC service: routes each call to the class that handles it. Runs behind
 * {@link PeerIdentityInterceptor}, so the caller's id is known and trusted here.
 */
final class PeerServiceImpl extends PeerServiceGrpc.PeerServiceImplBase {
    private final long selfId;
    private final String clusterId;
    private final MessageHandler handler;
    private final TransportStats stats;
    private final SnapshotReceiver snapshots;
    private final PeerEventLoop loop;

    PeerServiceImpl(long selfId, String clusterId, MessageHandler handler, TransportStats stats,
                    SnapshotReceiver snapshots, PeerEventLoop loop) {
        this.loop = loop;
        this.selfId = selfId;
        this.clusterId = clusterId;
        this.handler = handler;
        this.stats = stats;
        this.snapshots = snapshots;
    }

    private static long caller() {
        return PeerIdentityInterceptor.CALLER.get();
    }

    @Override
    public StreamObserver<RaftBatch> stream(StreamObserver<StreamAck> responses) {
        // Tell the sender at once that it got through, so it can reset its reconnect back-off.
        responses.onNext(StreamAck.newBuilder().setNodeId(selfId).setClusterId(clusterId).build());
        return new InboundStream(selfId, caller(), handler, stats, responses, loop);
    }

    @Override
    public void snapshotOffset(SnapshotOffsetRequest request, StreamObserver<SnapshotOffsetResponse> responses) {
        try {
            responses.onNext(snapshots.offsets(caller(), request.getHeader()));
            responses.onCompleted();
        } catch (StatusException e) {
            responses.onError(e);
        }
    }

    @Override
    public StreamObserver<SnapshotChunk> installSnapshot(StreamObserver<SnapshotAck> responses) {
        return snapshots.install(caller(), responses);
    }
}
