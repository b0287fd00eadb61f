package io.kvorum.server.api;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.kvorum.proto.internal.v1.Command;
import io.kvorum.proto.internal.v1.CommandResult;
import io.kvorum.proto.internal.v1.CompactHistory;
import io.kvorum.proto.v1.AlarmsRequest;
import io.kvorum.proto.v1.CompactRequest;
import io.kvorum.proto.v1.CompactResponse;
import io.kvorum.proto.v1.AlarmsResponse;
import io.kvorum.proto.v1.CompactStorageRequest;
import io.kvorum.proto.v1.CompactStorageResponse;
import io.kvorum.proto.v1.ErrorReason;
import io.kvorum.proto.v1.MaintenanceGrpc;
import io.kvorum.proto.v1.SnapshotChunk;
import io.kvorum.proto.v1.SnapshotRequest;
import io.kvorum.server.node.LocalStorage;
import io.kvorum.server.node.RaftNode;
import io.kvorum.server.state.CoordinationState;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Maintenance service: backups streamed from this node, watch history compaction (a
 * replicated command), storage compaction (this node's files), alarms. A
 * snapshot runs on a thread of its own (it may take minutes and must not hold an API worker)
 * and only one at a time, since each holds a checkpoint of the store.
 */
final class MaintenanceService extends MaintenanceGrpc.MaintenanceImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(MaintenanceService.class);

    private final RaftNode node;
    private final LocalStorage storage;
    private final CoordinationState state;
    private final Headers headers;
    private final Replies replies;
    private final Errors errors;
    private final SpaceQuota quota;
    private final Executor blocking;
    private final Proposer proposer;
    private final Duration defaultDeadline;
    private final Semaphore oneSnapshot = new Semaphore(1);

    MaintenanceService(RaftNode node, CoordinationState state, Proposer proposer, Headers headers, Replies replies,
                       Errors errors, SpaceQuota quota, Executor blocking, Duration defaultDeadline) {
        this.proposer = proposer;
        this.defaultDeadline = defaultDeadline;
        this.node = node;
        this.storage = LocalStorage.of(node);
        this.state = state;
        this.headers = headers;
        this.replies = replies;
        this.errors = errors;
        this.quota = quota;
        this.blocking = blocking;
    }

    @Override
    public void snapshot(SnapshotRequest r, StreamObserver<SnapshotChunk> out) {
        ServerCallStreamObserver<SnapshotChunk> call = (ServerCallStreamObserver<SnapshotChunk>) out;
        if (!oneSnapshot.tryAcquire()) {
            out.onError(Errors.of(ErrorReason.SNAPSHOT_BUSY, "node " + headers.memberId()
                    + " is already streaming a snapshot; retry when it is done"));
            return;
        }
        OutputStream chunks = SnapshotStreamer.chunksOf(call);
        Thread t = new Thread(() -> {
            try {
                SnapshotStreamer.writeTo(node, chunks);
                call.onCompleted();
            } catch (IOException | RuntimeException e) {
                LOG.warn("node {}: snapshot stream ended early: {}", headers.memberId(), e.toString());
                if (!call.isCancelled()) {
                    try {
                        call.onError(errors.toStatus(e instanceof IOException ? new IllegalStateException(
                                "the snapshot could not be written: " + e.getMessage(), e) : e));
                    } catch (RuntimeException closed) {
                        // The call ended meanwhile: nobody is listening.
                    }
                }
            } finally {
                oneSnapshot.release();
            }
        }, "kvorum-snapshot-" + headers.memberId());
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void compact(CompactRequest r, StreamObserver<CompactResponse> out) {
        replies.reply(out, () -> {
            long current = state.revision();
            if (r.getRevision() <= 0 || r.getRevision() > current) {
                throw Errors.of(ErrorReason.INVALID_DATA, "cannot compact the watch history to revision "
                        + r.getRevision() + ": give a revision from 1 to the current " + current);
            }
            return proposer.propose(Command.newBuilder().setCompactHistory(CompactHistory.newBuilder()
                            .setRevision(r.getRevision())), Deadlines.remainingMillis(defaultDeadline))
                    .thenApply(res -> CompactResponse.newBuilder()
                            .setHeader(headers.of(Proposer.expect(res, CommandResult.ResultCase.DONE).getDone()
                                    .getRevision()))
                            .setCompactedRevision(state.compactedRevision()).build());
        });
    }

    @Override
    public void compactStorage(CompactStorageRequest r, StreamObserver<CompactStorageResponse> out) {
        replies.reply(out, () -> CompletableFuture.supplyAsync(() -> {
            long before = DiskUsage.bytes(storage.directory());
            storage.compactFiles();
            quota.refresh();
            long after = DiskUsage.bytes(storage.directory());
            LOG.info("node {}: storage compacted on request, {} -> {} bytes", headers.memberId(), before, after);
            return CompactStorageResponse.newBuilder().setHeader(headers.of(state.revision()))
                    .setDbSizeBytesBefore(before).setDbSizeBytesAfter(after).build();
        }, blocking));
    }

    @Override
    public void alarms(AlarmsRequest r, StreamObserver<AlarmsResponse> out) {
        replies.reply(out, () -> CompletableFuture.completedFuture(AlarmsResponse.newBuilder()
                .setHeader(headers.of(state.revision())).addAllAlarms(quota.alarms())
                .setDbSizeBytes(quota.lastSizeBytes()).setQuotaBytes(quota.quotaBytes()).build()));
    }
}
