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
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One lane to one peer: a bounded queue, one long-lived Stream call, and the thread that moves
 * messages from the first to the second.
 *
 * <p>The thread takes everything queued (up to the batch size) as one frame, and writes a
 * frame only when gRPC says the stream is ready: while the peer or the network is slow,
 * messages pile up in the bounded queue, where they are batched together or dropped, instead
 * of in unbounded gRPC/Netty buffers. gRPC callbacks only set flags and wake it. It never
 * waits longer than {@link #SLICE_NANOS} at a time, so it notices closing, a broken stream and
 * pending drop reports promptly.
 *
 * <p>When the lane is idle (nothing queued, the stream ready, no frame being written, and none
 * written for {@link #IDLE_NANOS}) the sender writes its messages itself instead of queueing
 * them: an idle lane thread would have to be woken for them, and on a lightly loaded node that
 * wake-up is a large part of a replication round trip. Sends that follow each other closely
 * still go through the queue, where the lane thread merges them into fewer frames. Every use of the call's request side (open, write, cancel) holds
 * {@link #writing}; the sender only ever try-locks it, so it never waits for the lane thread.
 * Order is kept because a direct write happens only while the queue is empty under that lock,
 * and the lane thread takes from the queue and writes under the same lock.
 */
final class StreamLane implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StreamLane.class);
    private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /**
     * How long an idle lane's thread sleeps with nothing queued. News that needs the thread (a
     * broken or newly accepted stream) wakes it at once, closing interrupts it, and a send to an
     * idle lane is written by its caller, so this is only a backstop: an idle node's four lane
     * threads used to wake every {@link #SLICE_NANOS}: 240 thread wake-ups a second over an
     * idle 3-node cluster, a quarter of all of its.
     */
    private static final long EMPTY_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** A lane that wrote nothing for this long is idle: its next send is written directly. */
    private static final long IDLE_NANOS = TimeUnit.MICROSECONDS.toNanos(250);

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
    /** Held for every use of the current call's request side; see the class comment. */
    private final ReentrantLock writing = new ReentrantLock();
    /** The open call, or null; written by the lane thread under {@link #writing}. */
    private volatile Call current;
    /** When the last frame was written (System.nanoTime); written under {@link #writing}. */
    private volatile long lastWriteNanos;
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
        if (writeDirectly(messages)) {
            return;
        }
        int dropped = queue.offer(messages);
        if (dropped > 0) {
            dropped(dropped);
            // Reported by the lane thread: handler callbacks never run on the sender's thread.
            dropsToReport.set(true);
        }
    }

    /**
     * Writes {@code messages} as one frame on the caller's thread if the lane is idle: the
     * stream is open and ready, nothing is queued, and no one else is writing.
     *
     * @return false if the messages must be queued instead
     */
    private boolean writeDirectly(List<Message> messages) {
        Call call = current;
        if (call == null || call.broken || System.nanoTime() - lastWriteNanos < IDLE_NANOS || !call.ready()
                || !fitsOneFrame(messages) || !writing.tryLock()) {
            return false;
        }
        try {
            if (call != current || call.broken || !queue.isEmpty()) {
                return false;
            }
            writeFrame(call, messages);
            return true;
        } finally {
            writing.unlock();
        }
    }

    private boolean fitsOneFrame(List<Message> messages) {
        long bytes = 0;
        for (Message m : messages) {
            bytes += OutboundQueue.weight(m);
        }
        return bytes <= config.maxBatchBytes;
    }

    /** Writes one frame; the caller holds {@link #writing}. A failed write breaks the call. */
    private void writeFrame(Call call, List<Message> batch) {
        int bytes;
        try {
            bytes = call.write(batch);
        } catch (RuntimeException e) {
            // Never let one bad write stop the lane: treat it as a broken stream.
            log.error("{} lane to peer {}: writing a frame failed", lane, peer, e);
            dropped(batch.size());
            call.failure = Status.INTERNAL.withDescription("local write failed: " + e).withCause(e);
            call.broke();
            return;
        }
        lastWriteNanos = System.nanoTime();
        stats.framesSent.increment();
        stats.messagesSent.add(batch.size());
        laneStats.messagesSent.add(batch.size());
        laneStats.bytesSent.add(bytes);
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
                    boolean lost;
                    writing.lock();
                    try {
                        current = null;
                        lost = call.framesSent > 0 || !queue.isEmpty();
                        call.cancel("stream broken");
                    } finally {
                        writing.unlock();
                    }
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
                    writing.lock();
                    try {
                        call = open();
                        current = call;
                    } finally {
                        writing.unlock();
                    }
                }
                if (!queue.awaitNotEmpty(EMPTY_WAIT_NANOS) || !call.awaitReady(SLICE_NANOS)) {
                    continue; // the next round re-checks closing and breakage
                }
                writing.lock();
                try {
                    List<Message> batch = call.broken ? List.of() : queue.poll(config.maxBatchBytes, 0);
                    if (!batch.isEmpty()) {
                        writeFrame(call, batch);
                    }
                } finally {
                    writing.unlock();
                }
            }
        } catch (InterruptedException e) {
            // closing
        } finally {
            writing.lock();
            try {
                current = null;
                if (call != null) {
                    call.cancel("peer transport closed");
                }
            } finally {
                writing.unlock();
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

    /** One Stream call. gRPC threads only flip its flags; writers hold {@link #writing}. */
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
                broke();
                return;
            }
            accepted = true;
            queue.wakeConsumer(); // so "connected again" is logged now, not at the next send
        }

        @Override
        public void onError(Throwable t) {
            failure = Status.fromThrowable(t);
            broke();
        }

        @Override
        public void onCompleted() {
            broke();
        }

        /** Marks the call broken and wakes the lane thread wherever it waits, to reopen it. */
        void broke() {
            broken = true;
            wake();
            queue.wakeConsumer();
        }

        void wake() {
            synchronized (monitor) {
                monitor.notifyAll();
            }
        }

        boolean ready() {
            return requests.isReady();
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
