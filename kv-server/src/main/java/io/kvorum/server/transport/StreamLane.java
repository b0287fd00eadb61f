package io.kvorum.server.transport;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.kvorum.proto.peer.v1.PeerServiceGrpc;
import io.kvorum.proto.peer.v1.RaftBatch;
import io.kvorum.proto.peer.v1.StreamAck;
import io.kvorum.server.raft.Message;
import io.kvorum.server.raft.MessageType;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One lane to one peer: a bounded queue, one long-lived Stream call, and the thread that moves
 * messages from the first to the second.
 *
 * <p>The thread takes everything queued (up to the batch size) as one frame, and writes a
 * frame only when gRPC says the stream is ready: while the peer or the network is slow,
 * messages pile up in the bounded queue, where they are batched together or dropped, instead
 * of in unbounded gRPC/Netty buffers. It is the only thread that touches the call's request
 * side, so no locking is needed there; gRPC callbacks only set flags and wake it. It never
 * waits longer than {@link #SLICE_NANOS} at a time, so it notices closing, a broken stream and
 * pending drop reports promptly.
 */
final class StreamLane implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StreamLane.class);
    private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final long peer;
    private final Lane lane;
    private final ManagedChannel channel;
    private final PeerServiceGrpc.PeerServiceStub stub;
    private final OutboundQueue queue;
    private final TransportConfig config;
    private final TransportStats stats;
    private final TransportStats.LaneStats laneStats;
    private final UnreachableReporter unreachable;
    private final Backoff backoff;
    private final Thread thread;
    private final AtomicBoolean dropsToReport = new AtomicBoolean();
    private volatile boolean closed;
    /** Lane thread only: the last failure logged, so a peer that stays down logs once. */
    private String lastFailure;

    StreamLane(long selfId, long peer, Lane lane, ManagedChannel channel, OutboundQueue queue,
               String clusterId, TransportConfig config, TransportStats stats, UnreachableReporter unreachable) {
        this.peer = peer;
        this.lane = lane;
        this.channel = channel;
        this.stub = PeerServiceGrpc.newStub(channel).withInterceptors(PeerHeaders.attach(clusterId, selfId, peer));
        this.queue = queue;
        this.config = config;
        this.stats = stats;
        this.laneStats = stats.lane(lane);
        this.unreachable = unreachable;
        this.backoff = new Backoff(config.reconnectBackoffMin, config.reconnectBackoffMax);
        this.thread = new Thread(this::run, "kvorum-peer-" + selfId + "-to-" + peer + "-"
                + lane.name().toLowerCase(Locale.ROOT));
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Queues {@code messages} for this lane without blocking; what does not fit is dropped. */
    void enqueue(List<Message> messages) {
        if (closed) {
            dropped(messages.size());
            return;
        }
        if (lane == Lane.PRIORITY) {
            for (Message m : messages) {
                if (m.type() == MessageType.HEARTBEAT) {
                    stats.heartbeatQueued(peer);
                }
            }
        }
        int dropped = queue.offer(messages);
        if (dropped > 0) {
            dropped(dropped);
            // Reported by the lane thread: handler callbacks never run on the sender's thread.
            dropsToReport.set(true);
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        queue.clear();
    }

    private void run() {
        Call call = null;
        List<Message> batch = List.of();
        long nextAttempt = System.nanoTime();
        try {
            while (!closed) {
                if (dropsToReport.getAndSet(false)) {
                    unreachable.report();
                }
                if (call != null && call.accepted && lastFailure != null) {
                    log.info("{} lane to peer {} at {} connected again", lane, peer, channel.authority());
                    lastFailure = null;
                }
                if (call != null && call.broken) {
                    boolean lost = call.framesSent > 0 || !batch.isEmpty() || !queue.isEmpty();
                    if (!batch.isEmpty()) {
                        dropped(batch.size());
                        batch = List.of();
                    }
                    call.cancel("stream broken");
                    failed(call, lost);
                    if (call.accepted) {
                        backoff.reset();
                    }
                    nextAttempt = System.nanoTime() + backoff.nextDelayNanos();
                    call = null;
                }
                if (call == null) {
                    long wait = nextAttempt - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(Math.min(wait, SLICE_NANOS));
                        continue;
                    }
                    call = open();
                }
                if (batch.isEmpty()) {
                    batch = queue.poll(config.maxBatchBytes, SLICE_NANOS);
                    if (batch.isEmpty()) {
                        continue;
                    }
                }
                if (!call.awaitReady(SLICE_NANOS)) {
                    continue; // keep the batch; the next round re-checks closing and breakage
                }
                int bytes;
                try {
                    bytes = call.write(batch);
                } catch (RuntimeException e) {
                    // Never let one bad write stop the lane: treat it as a broken stream.
                    log.error("{} lane to peer {}: writing a frame failed", lane, peer, e);
                    call.failure = Status.INTERNAL.withDescription("local write failed: " + e).withCause(e);
                    call.broken = true;
                    continue;
                }
                stats.framesSent.increment();
                stats.messagesSent.add(batch.size());
                laneStats.messagesSent.add(batch.size());
                laneStats.bytesSent.add(bytes);
                batch = List.of();
            }
        } catch (InterruptedException e) {
            // closing
        } finally {
            if (call != null) {
                call.cancel("peer transport closed");
            }
        }
    }

    private void dropped(int messages) {
        stats.messagesDropped.add(messages);
        laneStats.messagesDropped.add(messages);
    }

    private Call open() {
        // gRPC's own reconnect back-off grows to minutes; ours is the one that should govern.
        if (channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
            channel.resetConnectBackoff();
        }
        Call call = new Call();
        stub.stream(call);
        return call;
    }

    private void failed(Call call, boolean lost) {
        stats.streamFailures.increment();
        Status s = call.failure == null ? Status.UNAVAILABLE.withDescription("stream closed by peer") : call.failure;
        String what = s.getCode() + (s.getDescription() == null ? "" : ": " + s.getDescription());
        boolean misconfigured = s.getCode() == Status.Code.FAILED_PRECONDITION
                || s.getCode() == Status.Code.INVALID_ARGUMENT;
        if (call.accepted || !what.equals(lastFailure)) {
            if (misconfigured) {
                log.warn("{} lane to peer {} at {} refused: {}", lane, peer, channel.authority(), what);
            } else {
                log.info("{} lane to peer {} at {} failed: {}", lane, peer, channel.authority(), what);
            }
            lastFailure = what;
        } else {
            log.debug("{} lane to peer {} failed again: {}", lane, peer, what);
        }
        if (lost) {
            unreachable.report();
        }
    }

    /** One Stream call. gRPC threads only flip its flags; the lane thread does the rest. */
    private final class Call implements ClientResponseObserver<RaftBatch, StreamAck> {
        private final Object monitor = new Object();
        private ClientCallStreamObserver<RaftBatch> requests;
        volatile boolean broken;
        volatile boolean accepted;
        volatile Status failure;
        long framesSent;

        @Override
        public void beforeStart(ClientCallStreamObserver<RaftBatch> requestStream) {
            requests = requestStream;
            requestStream.setOnReadyHandler(this::wake);
        }

        @Override
        public void onNext(StreamAck ack) {
            if (ack.getNodeId() != peer) {
                // The server checks our kvorum-to header, so this means a confused peer.
                failure = Status.FAILED_PRECONDITION.withDescription("peer at " + channel.authority()
                        + " says it is node " + ack.getNodeId() + ", expected " + peer);
                broken = true;
                wake();
                return;
            }
            accepted = true;
        }

        @Override
        public void onError(Throwable t) {
            failure = Status.fromThrowable(t);
            broken = true;
            wake();
        }

        @Override
        public void onCompleted() {
            broken = true;
            wake();
        }

        private void wake() {
            synchronized (monitor) {
                monitor.notifyAll();
            }
        }

        /** Waits up to {@code nanos} for the stream to take a frame; false if not (yet) or broken. */
        boolean awaitReady(long nanos) throws InterruptedException {
            long deadline = System.nanoTime() + nanos;
            synchronized (monitor) {
                while (!broken && !requests.isReady()) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    TimeUnit.NANOSECONDS.timedWait(monitor, left);
                }
            }
            return !broken;
        }

        /** Writes one frame; returns its serialized size (memoized by protobuf, so free here). */
        int write(List<Message> batch) {
            RaftBatch frame = MessageCodec.encodeBatch(batch);
            requests.onNext(frame);
            framesSent++;
            return frame.getSerializedSize();
        }

        void cancel(String why) {
            try {
                requests.cancel(why, null);
            } catch (RuntimeException e) {
                log.debug("cancelling stream to peer {}", peer, e);
            }
        }
    }
}
