package io.kvorum.server.api;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.kvorum.proto.snapshot.SnapshotFile;
import io.kvorum.proto.v1.SnapshotChunk;
import io.kvorum.proto.v1.SnapshotHeader;
import io.kvorum.proto.v1.SnapshotMember;
import io.kvorum.server.node.LocalStorage;
import io.kvorum.server.node.RaftNode;
import io.kvorum.server.node.StateCheckpoint;
import io.kvorum.server.state.SnapshotContent;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one backup: checkpoints the node's store (a consistent state at one applied index,
 * taken without stopping the node), writes it in the snapshot file format into the call's
 * messages, and deletes the checkpoint. Runs on its own thread and sends only when the client
 * can take more (gRPC flow control), so a slow client holds one checkpoint, not the heap.
 */
final class SnapshotStreamer {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotStreamer.class);
    static final int CHUNK_BYTES = 256 * 1024;

    private SnapshotStreamer() {
    }

    /**
     * The stream that sends what is written to {@code call} as chunks. Call it in the service
     * method itself: gRPC takes flow-control handlers only before that method returns.
     */
    static OutputStream chunksOf(ServerCallStreamObserver<SnapshotChunk> call) {
        return new ChunkStream(call);
    }

    /**
     * Writes a snapshot of {@code node}'s store into {@code out} (flushed, not closed); returns
     * the key count.
     */
    static long writeTo(RaftNode node, OutputStream out) throws IOException {
        try (StateCheckpoint cp = LocalStorage.of(node).checkpoint()) {
            SnapshotHeader header = headerOf(cp, node.status().id(), node.status().members());
            SnapshotFile.Writer w = new SnapshotFile.Writer(out, header);
            cp.forEachState(w::put);
            long keys = w.finish();
            LOG.info("node {}: wrote a snapshot at revision {} (raft index {}): {} keys", header.getSourceMemberId(),
                    header.getRevision(), header.getRaftIndex(), keys);
            return keys;
        }
    }

    static SnapshotHeader headerOf(StateCheckpoint cp, long selfId, Map<Long, String> peers) {
        SnapshotHeader.Builder h = SnapshotHeader.newBuilder()
                .setFormatVersion(SnapshotFile.FORMAT_VERSION)
                .setClusterId(cp.clusterId())
                .setRevision(SnapshotContent.revision(cp::get))
                .setRaftIndex(cp.appliedIndex())
                .setRaftTerm(cp.appliedTerm())
                .setSourceMemberId(selfId)
                .setCreatedUnixMillis(System.currentTimeMillis())
                .setServerVersion(ClusterService.VERSION);
        for (long id : cp.voters()) {
            h.addMembers(SnapshotMember.newBuilder().setId(id).setPeerAddress(peers.getOrDefault(id, "")));
        }
        for (long id : cp.learners()) {
            h.addMembers(SnapshotMember.newBuilder().setId(id).setPeerAddress(peers.getOrDefault(id, ""))
                    .setIsLearner(true));
        }
        return h.build();
    }

    /** Cuts what is written into chunks and sends each when the call is ready for it. */
    private static final class ChunkStream extends OutputStream {
        private final ServerCallStreamObserver<SnapshotChunk> call;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition ready = lock.newCondition();
        private final byte[] buf = new byte[CHUNK_BYTES];
        private int len;

        ChunkStream(ServerCallStreamObserver<SnapshotChunk> call) {
            this.call = call;
            Runnable wake = () -> {
                lock.lock();
                try {
                    ready.signalAll();
                } finally {
                    lock.unlock();
                }
            };
            call.setOnReadyHandler(wake);
            call.setOnCancelHandler(wake);
        }

        @Override
        public void write(int b) throws IOException {
            if (len == buf.length) {
                send();
            }
            buf[len++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int n) throws IOException {
            while (n > 0) {
                if (len == buf.length) {
                    send();
                }
                int k = Math.min(n, buf.length - len);
                System.arraycopy(b, off, buf, len, k);
                len += k;
                off += k;
                n -= k;
            }
        }

        @Override
        public void flush() throws IOException {
            if (len > 0) {
                send();
            }
        }

        private void send() throws IOException {
            lock.lock();
            try {
                while (!call.isReady()) {
                    if (call.isCancelled()) {
                        throw new IOException("the client cancelled the snapshot");
                    }
                    ready.await(100, TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while streaming a snapshot", e);
            } finally {
                lock.unlock();
            }
            try {
                call.onNext(SnapshotChunk.newBuilder().setData(ByteString.copyFrom(buf, 0, len)).build());
            } catch (RuntimeException e) {
                throw new IOException("the snapshot call ended: " + Status.fromThrowable(e), e);
            }
            len = 0;
        }

    }
}
