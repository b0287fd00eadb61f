package io.kvorum.server.transport;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one {@link PeerTransport}, for metrics and for tests that check batching,
 * drops and resumption. Monotonic; read at any time from any thread.
 */
public final class TransportStats {
    final LongAdder framesSent = new LongAdder();
    final LongAdder messagesSent = new LongAdder();
    final LongAdder messagesDropped = new LongAdder();
    final LongAdder streamFailures = new LongAdder();
    final LongAdder framesReceived = new LongAdder();
    final LongAdder messagesReceived = new LongAdder();
    final LongAdder messagesRejected = new LongAdder();
    final LongAdder snapshotsSent = new LongAdder();
    final LongAdder snapshotsFailed = new LongAdder();
    final LongAdder snapshotBytesSent = new LongAdder();
    final LongAdder snapshotsReceived = new LongAdder();
    final LongAdder snapshotBytesReceived = new LongAdder();
    final LongAdder snapshotChunksRejected = new LongAdder();
    final LongAdder snapshotFilesRejected = new LongAdder();
    private final LaneStats[] lanes = {new LaneStats(), new LaneStats()};
    private final Map<Long, AtomicLong> heartbeatSentAt = new ConcurrentHashMap<>();
    private volatile HeartbeatRttListener rttListener = (peer, nanos) -> { };

    /** Counters of one {@link Lane} over all peers; the totals above include them. */
    public static final class LaneStats {
        final LongAdder messagesSent = new LongAdder();
        final LongAdder bytesSent = new LongAdder();
        final LongAdder messagesDropped = new LongAdder();

        /** Raft messages written to this lane's streams. */
        public long messagesSent() { return messagesSent.sum(); }
        /** Serialized frame bytes written to this lane's streams. */
        public long bytesSent() { return bytesSent.sum(); }
        /** Messages dropped from this lane's queues: full, closed, or the stream broke. */
        public long messagesDropped() { return messagesDropped.sum(); }
    }

    /** Told each measured heartbeat round trip: from queueing a HEARTBEAT to its response. */
    @FunctionalInterface
    public interface HeartbeatRttListener {
        void observed(long peer, long nanos);
    }

    public LaneStats lane(Lane lane) {
        return lanes[lane.ordinal()];
    }

    /**
     * Adds a listener of heartbeat round trips (metrics, the election timing check); listeners
     * are called from transport threads, in the order added.
     */
    public synchronized void onHeartbeatRtt(HeartbeatRttListener listener) {
        HeartbeatRttListener before = rttListener;
        rttListener = (peer, nanos) -> {
            before.observed(peer, nanos);
            listener.observed(peer, nanos);
        };
    }

    /**
     * A HEARTBEAT to {@code peer} was queued. Only the first unanswered one is timed, so a
     * peer that stops answering yields one long round trip when it comes back, not none.
     */
    void heartbeatQueued(long peer) {
        heartbeatSentAt.computeIfAbsent(peer, p -> new AtomicLong()).compareAndSet(0, System.nanoTime());
    }

    /** A HEARTBEAT_RESPONSE came from {@code peer}: ends the timed round trip, if any. */
    void heartbeatAnswered(long peer) {
        AtomicLong sent = heartbeatSentAt.get(peer);
        if (sent == null) {
            return;
        }
        long at = sent.getAndSet(0);
        if (at != 0) {
            rttListener.observed(peer, System.nanoTime() - at);
        }
    }

    /** RaftBatch frames written to peer streams (both lanes). */
    public long framesSent() { return framesSent.sum(); }
    /** Raft messages written to peer streams. */
    public long messagesSent() { return messagesSent.sum(); }
    /** Raft messages dropped before reaching a stream: queue full, unknown peer, stream broke. */
    public long messagesDropped() { return messagesDropped.sum(); }
    /** Outgoing streams that failed to open or broke. */
    public long streamFailures() { return streamFailures.sum(); }
    /** RaftBatch frames received from peers. */
    public long framesReceived() { return framesReceived.sum(); }
    /** Raft messages received and handed to the node. */
    public long messagesReceived() { return messagesReceived.sum(); }
    /** Received raft messages discarded: undecodable, or not from the caller or not for us. */
    public long messagesRejected() { return messagesRejected.sum(); }
    /** Snapshot transfers that ended with the peer's acknowledgement. */
    public long snapshotsSent() { return snapshotsSent.sum(); }
    /** Snapshot transfers given up. */
    public long snapshotsFailed() { return snapshotsFailed.sum(); }
    /** Snapshot file bytes written to peers, including re-sent ones. */
    public long snapshotBytesSent() { return snapshotBytesSent.sum(); }
    /** Snapshots received, verified and delivered to the node. */
    public long snapshotsReceived() { return snapshotsReceived.sum(); }
    /** Snapshot file bytes received and staged. */
    public long snapshotBytesReceived() { return snapshotBytesReceived.sum(); }
    /** Received chunks whose CRC32C did not match: not written. */
    public long snapshotChunksRejected() { return snapshotChunksRejected.sum(); }
    /** Staged files whose whole-file CRC32C did not match: deleted for re-sending. */
    public long snapshotFilesRejected() { return snapshotFilesRejected.sum(); }

    @Override
    public String toString() {
        return "TransportStats{framesSent=" + framesSent() + ", messagesSent=" + messagesSent()
                + ", dropped=" + messagesDropped() + ", streamFailures=" + streamFailures()
                + ", framesReceived=" + framesReceived() + ", messagesReceived=" + messagesReceived()
                + ", rejected=" + messagesRejected() + ", snapshotsSent=" + snapshotsSent()
                + ", snapshotsFailed=" + snapshotsFailed() + ", snapshotBytesSent=" + snapshotBytesSent()
                + ", snapshotsReceived=" + snapshotsReceived()
                + ", snapshotBytesReceived=" + snapshotBytesReceived()
                + ", snapshotChunksRejected=" + snapshotChunksRejected()
                + ", snapshotFilesRejected=" + snapshotFilesRejected() + '}';
    }
}
