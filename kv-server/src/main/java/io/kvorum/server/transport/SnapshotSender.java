package io.kvorum.server.transport;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kvorum.proto.peer.v1.PeerServiceGrpc;
import io.kvorum.proto.peer.v1.SnapshotAck;
import io.kvorum.proto.peer.v1.SnapshotHeader;
import io.kvorum.server.raft.Message;
import io.kvorum.server.raft.SnapshotMeta;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends SNAPSHOT messages to one peer, one transfer at a time, on a thread of its own so that
 * a multi-gigabyte transfer never sits in front of a heartbeat or an append.
 *
 * <p>A transfer sends data the store makes ready for it ({@link SnapshotStore#prepareToSend}),
 * with the metadata the store returns in place of the one the core asked for, and hands it
 * back once done. It is a series of {@link SnapshotUpload attempts}. Each starts by asking the peer
 * what it already has, so an attempt after a broken connection, a corrupt chunk or a receiver
 * restart resumes instead of starting over. It gives up after
 * {@link TransportConfig#snapshotMaxAttempts} consecutive attempts that did not get more bytes
 * staged on the peer, or at once when retrying cannot help (the peer refuses us, or our own
 * files are unreadable), and reports the outcome through
 * {@link MessageHandler#onSnapshotSent}. The core sends at most one snapshot per peer at a
 * time, so the FIFO of waiting transfers stays short.
 */
final class SnapshotSender implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SnapshotSender.class);

    private final long peer;
    private final ManagedChannel channel;
    private final PeerServiceGrpc.PeerServiceStub stub;
    private final PeerServiceGrpc.PeerServiceBlockingStub blockingStub;
    private final SnapshotStore store;
    private final MessageHandler handler;
    private final TransportConfig config;
    private final TransportStats stats;
    private final ExecutorService executor;
    private volatile boolean closed;

    SnapshotSender(long selfId, long peer, ManagedChannel channel, String clusterId, SnapshotStore store,
                   MessageHandler handler, TransportConfig config, TransportStats stats) {
        this.peer = peer;
        this.channel = channel;
        var identity = PeerHeaders.attach(clusterId, selfId, peer);
        this.stub = PeerServiceGrpc.newStub(channel).withInterceptors(identity);
        this.blockingStub = PeerServiceGrpc.newBlockingStub(channel).withInterceptors(identity);
        this.store = store;
        this.handler = handler;
        this.config = config;
        this.stats = stats;
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "kvorum-snapshot-" + selfId + "-to-" + peer);
            t.setDaemon(true);
            return t;
        });
    }

    /** Queues the transfer of {@code snapshot} (a SNAPSHOT message to this peer). */
    void submit(Message snapshot) {
        try {
            executor.execute(new Transfer(snapshot));
        } catch (RejectedExecutionException e) {
            stats.messagesDropped.increment(); // closed: nobody is waiting for the outcome
        }
    }

    /** Stops sending: the running transfer and the queued ones are reported as failed. */
    @Override
    public void close() {
        closed = true;
        List<Runnable> queued = executor.shutdownNow();
        for (Runnable r : queued) {
            report(false);
        }
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("snapshot sender to peer {} did not stop within 5 s", peer);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void report(boolean ok) {
        (ok ? stats.snapshotsSent : stats.snapshotsFailed).increment();
        handler.onSnapshotSent(peer, ok);
    }

    private final class Transfer implements Runnable {
        private final Message message;

        Transfer(Message message) {
            this.message = message;
        }

        @Override
        public void run() {
            boolean ok = false;
            try (OutgoingSnapshot snapshot = store.prepareToSend(message.snapshot())) {
                ok = transfer(snapshot);
            } catch (InterruptedException e) {
                log.info("snapshot {}@{} to peer {} abandoned: sender closing", message.snapshot().index(),
                        message.snapshot().term(), peer);
            } catch (IOException | RuntimeException e) {
                if (ok) {
                    // Closing the snapshot failed after the peer had it all: the transfer stands.
                    log.warn("snapshot {}@{} sent to peer {}, but releasing its files failed",
                            message.snapshot().index(), message.snapshot().term(), peer, e);
                } else {
                    log.warn("snapshot {}@{} to peer {} failed", message.snapshot().index(),
                            message.snapshot().term(), peer, e);
                }
            }
            report(ok);
        }

        private boolean transfer(OutgoingSnapshot snapshot) throws InterruptedException, IOException {
            long started = System.nanoTime();
            SnapshotMeta meta = snapshot.meta();
            SnapshotManifest manifest = SnapshotManifest.scan(snapshot.directory());
            SnapshotHeader.Builder header = SnapshotHeader.newBuilder()
                    .setMessage(MessageCodec.encode(message.withSnapshot(meta)));
            for (SnapshotManifest.FileInfo f : manifest.files()) {
                header.addFiles(f.toProto());
            }
            Backoff backoff = new Backoff(config.reconnectBackoffMin, config.reconnectBackoffMax);
            long mostStaged = -1;
            int fruitless = 0;
            while (!closed) {
                // As in StreamLane: our back-off governs, not gRPC's much longer one.
                if (channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
                    channel.resetConnectBackoff();
                }
                SnapshotUpload upload = new SnapshotUpload(peer, stub, blockingStub, manifest, header.build(),
                        config, stats);
                try {
                    SnapshotAck ack = upload.run();
                    log.info("snapshot {}@{} to peer {}: {} files, {} bytes ({} sent by the last attempt) in {} ms",
                            meta.index(), meta.term(), peer, manifest.files().size(),
                            ack.getBytesTotal(), ack.getBytesReceived(),
                            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
                    return true;
                } catch (StatusRuntimeException e) {
                    Status.Code code = e.getStatus().getCode();
                    if (code == Status.Code.FAILED_PRECONDITION || code == Status.Code.INVALID_ARGUMENT
                            || code == Status.Code.UNIMPLEMENTED) {
                        log.warn("snapshot to peer {} refused: {}", peer, e.getStatus());
                        return false;
                    }
                    if (upload.stagedBefore() > mostStaged) {
                        mostStaged = upload.stagedBefore();
                        fruitless = 0;
                        backoff.reset();
                    }
                    fruitless++;
                    if (fruitless >= config.snapshotMaxAttempts) {
                        log.warn("snapshot {}@{} to peer {}: giving up after {} attempts without progress, last: {}",
                                meta.index(), meta.term(), peer, fruitless, e.getStatus());
                        return false;
                    }
                    log.info("snapshot {}@{} to peer {}: attempt failed ({}), resuming",
                            meta.index(), meta.term(), peer, e.getStatus());
                    TimeUnit.NANOSECONDS.sleep(backoff.nextDelayNanos());
                }
            }
            return false;
        }
    }
}
