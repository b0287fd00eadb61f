package io.kvorum.server.transport;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.kvorum.proto.peer.v1.FileChunk;
import io.kvorum.proto.peer.v1.FileOffset;
import io.kvorum.proto.peer.v1.PeerServiceGrpc;
import io.kvorum.proto.peer.v1.SnapshotAck;
import io.kvorum.proto.peer.v1.SnapshotChunk;
import io.kvorum.proto.peer.v1.SnapshotHeader;
import io.kvorum.proto.peer.v1.SnapshotOffsetRequest;
import io.kvorum.proto.peer.v1.SnapshotOffsetResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One attempt at sending a snapshot: ask the peer what it already has (SnapshotOffset), then
 * stream the header and every missing byte (InstallSnapshot) and wait for its verdict.
 *
 * <p>Only one chunk is ever buffered beyond gRPC's ready threshold: the attempt writes when the
 * stream is ready and otherwise waits, so a slow disk on the receiver slows the sender down
 * instead of filling the sender's memory. Each chunk is read into a fresh array that is never
 * touched again, which is what makes wrapping it without a copy safe.
 */
final class SnapshotUpload {
    private final long peer;
    private final PeerServiceGrpc.PeerServiceStub stub;
    private final PeerServiceGrpc.PeerServiceBlockingStub blockingStub;
    private final SnapshotManifest manifest;
    private final SnapshotHeader header;
    private final TransportConfig config;
    private final TransportStats stats;
    /** Bytes the peer already held when this attempt started; -1 until it answered. */
    private long stagedBefore = -1;

    SnapshotUpload(long peer, PeerServiceGrpc.PeerServiceStub stub,
                   PeerServiceGrpc.PeerServiceBlockingStub blockingStub, SnapshotManifest manifest,
                   SnapshotHeader header, TransportConfig config, TransportStats stats) {
        this.peer = peer;
        this.stub = stub;
        this.blockingStub = blockingStub;
        this.manifest = manifest;
        this.header = header;
        this.config = config;
        this.stats = stats;
    }

    long stagedBefore() {
        return stagedBefore;
    }

    /**
     * Runs the attempt.
     *
     * @throws StatusRuntimeException the peer refused, failed or could not be reached
     * @throws IOException            a local snapshot file could not be read as the manifest says
     */
    SnapshotAck run() throws InterruptedException, IOException {
        Map<String, Long> resumeAt = probe();
        Call call = new Call();
        stub.installSnapshot(call);
        try {
            call.send(SnapshotChunk.newBuilder().setHeader(header).build());
            for (SnapshotManifest.FileInfo f : manifest.files()) {
                sendFile(call, f, resumeAt.get(f.name()));
            }
            call.requests.onCompleted();
            return call.awaitAck();
        } catch (InterruptedException | IOException | RuntimeException e) {
            call.cancel(e);
            throw e;
        }
    }

    private Map<String, Long> probe() {
        SnapshotOffsetResponse r = blockingStub
                .withDeadlineAfter(config.snapshotStallTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .snapshotOffset(SnapshotOffsetRequest.newBuilder().setHeader(header).build());
        Map<String, Long> resumeAt = new HashMap<>();
        for (FileOffset o : r.getFilesList()) {
            resumeAt.put(o.getName(), o.getReceived());
        }
        long staged = 0;
        for (SnapshotManifest.FileInfo f : manifest.files()) {
            Long at = resumeAt.get(f.name());
            if (at == null || at < 0 || at > f.size()) {
                throw Status.INTERNAL.withDescription("peer " + peer + " answered a bad offset for "
                        + f.name() + ": " + at).asRuntimeException();
            }
            staged += at;
        }
        stagedBefore = staged;
        return resumeAt;
    }

    private void sendFile(Call call, SnapshotManifest.FileInfo f, long from)
            throws IOException, InterruptedException {
        if (from >= f.size()) {
            return;
        }
        try (FileChannel ch = FileChannel.open(SnapshotManifest.resolve(manifest.dir(), f.name()),
                StandardOpenOption.READ)) {
            long offset = from;
            while (offset < f.size()) {
                byte[] buf = new byte[(int) Math.min(config.snapshotChunkBytes, f.size() - offset)];
                readFully(ch, buf, offset, f.name());
                int crc = Checksums.crc32c(buf);
                ByteString data = config.hooks.beforeChunkSent(peer, f.name(), offset,
                        UnsafeByteOperations.unsafeWrap(buf));
                call.send(SnapshotChunk.newBuilder().setChunk(FileChunk.newBuilder()
                        .setFileName(f.name()).setOffset(offset).setData(data).setCrc32C(crc)).build());
                stats.snapshotBytesSent.add(buf.length);
                offset += buf.length;
            }
        }
    }

    private static void readFully(FileChannel ch, byte[] buf, long offset, String name) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(buf);
        while (b.hasRemaining()) {
            if (ch.read(b, offset + b.position()) < 0) {
                throw new IOException("snapshot file " + name + " shrank while being sent");
            }
        }
    }

    /** The InstallSnapshot call: the upload thread writes, gRPC callbacks only record the outcome. */
    private final class Call implements ClientResponseObserver<SnapshotChunk, SnapshotAck> {
        private final Object monitor = new Object();
        ClientCallStreamObserver<SnapshotChunk> requests;
        private SnapshotAck ack;
        private Status failure;
        private boolean done;

        @Override
        public void beforeStart(ClientCallStreamObserver<SnapshotChunk> requestStream) {
            requests = requestStream;
            requestStream.setOnReadyHandler(this::wake);
        }

        @Override
        public void onNext(SnapshotAck value) {
            synchronized (monitor) {
                ack = value;
            }
        }

        @Override
        public void onError(Throwable t) {
            synchronized (monitor) {
                failure = Status.fromThrowable(t);
                done = true;
                monitor.notifyAll();
            }
        }

        @Override
        public void onCompleted() {
            synchronized (monitor) {
                done = true;
                monitor.notifyAll();
            }
        }

        private void wake() {
            synchronized (monitor) {
                monitor.notifyAll();
            }
        }

        /** Writes once the stream is ready; fails if the peer takes nothing for the stall timeout. */
        void send(SnapshotChunk chunk) throws InterruptedException {
            long deadline = System.nanoTime() + config.snapshotStallTimeout.toNanos();
            synchronized (monitor) {
                while (!done && !requests.isReady()) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw Status.DEADLINE_EXCEEDED.withDescription("peer " + peer + " took no snapshot data for "
                                + config.snapshotStallTimeout).asRuntimeException();
                    }
                    TimeUnit.NANOSECONDS.timedWait(monitor, left);
                }
                if (done) {
                    throw outcome();
                }
            }
            requests.onNext(chunk);
        }

        SnapshotAck awaitAck() throws InterruptedException {
            long deadline = System.nanoTime() + config.snapshotAckTimeout.toNanos();
            synchronized (monitor) {
                while (!done) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw Status.DEADLINE_EXCEEDED.withDescription("peer " + peer + " did not confirm the snapshot within "
                                + config.snapshotAckTimeout).asRuntimeException();
                    }
                    TimeUnit.NANOSECONDS.timedWait(monitor, left);
                }
                if (failure != null || ack == null) {
                    throw outcome();
                }
                return ack;
            }
        }

        private StatusRuntimeException outcome() {
            return (failure != null ? failure
                    : Status.INTERNAL.withDescription("peer " + peer + " ended the snapshot call without an answer"))
                    .asRuntimeException();
        }

        void cancel(Exception why) {
            requests.cancel("snapshot attempt abandoned: " + why, null);
        }
    }
}
