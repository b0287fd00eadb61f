package io.kvorum.server.transport;

import io.kvorum.server.tls.CertNames;
import io.kvorum.server.tls.ReloadingTls;
import java.time.Duration;
import java.util.Objects;

/**
 * Limits and timings of a {@link PeerTransport}. Every node of a cluster should use the same
 * values: a sender's batch and chunk sizes must fit the receiver's inbound message limit.
 * Immutable; start from {@link #defaults()} or {@link #builder()}.
 */
public final class TransportConfig {
    private static final int MIB = 1024 * 1024;
    /** Room for a frame's own fields around its payload. */
    private static final int FRAME_OVERHEAD = 64 * 1024;
    /**
     * The HTTP/2 flow-control window of every peer connection, fixed. gRPC's automatic window
     * tuning sends a PING for each DATA frame that arrives while none is out, so on a quiet
     * link every raft message costs an extra frame and an extra wake-up each way. 4 MiB is
     * four full batches in flight: enough for a LAN, and 80 MB/s per lane at a 50 ms WAN RTT.
     */
    static final int FLOW_CONTROL_WINDOW_BYTES = 4 * 1024 * 1024;

    /** Largest frame the peer port accepts (gRPC max inbound message size). */
    public final int maxInboundMessageBytes;
    /** A batch is cut when its estimated size would pass this (a single larger message goes alone). */
    public final int maxBatchBytes;
    /** Per-peer queue of the bulk lane: beyond either bound new messages are dropped. */
    public final int bulkQueueMessages;
    public final long bulkQueueBytes;
    /** Per-peer queue of the priority lane. */
    public final int priorityQueueMessages;
    public final long priorityQueueBytes;
    /** Reconnect back-off: starts here after a failure, doubles per failed attempt... */
    public final Duration reconnectBackoffMin;
    /** ...up to here; a stream the peer accepted resets it. */
    public final Duration reconnectBackoffMax;
    /**
     * HTTP/2 keepalive: ping an idle or silent connection this often (gRPC's floor is 10 s)
     * and drop it when a ping is not answered within the timeout, so a stream to a peer that
     * vanished without closing its socket fails instead of silently buffering.
     */
    public final Duration keepAliveTime;
    public final Duration keepAliveTimeout;
    /** {@link MessageHandler#onUnreachable} is called at most this often per peer. */
    public final Duration unreachableReportInterval;
    /** Snapshot file bytes per chunk. */
    public final int snapshotChunkBytes;
    /** A snapshot transfer gives up after this many consecutive attempts that made no progress. */
    public final int snapshotMaxAttempts;
    /** A snapshot attempt fails when the peer takes no bytes (or no offset probe answer) for this long. */
    public final Duration snapshotStallTimeout;
    /** How long to wait for the receiver to verify and sync a snapshot after the last chunk. */
    public final Duration snapshotAckTimeout;
    /** Looks up peers' host names: at first connect and after every failed connection. */
    public final HostResolver hostResolver;
    /** Fault injection and observation points; {@link TransportHooks#NONE} in production. */
    public final TransportHooks hooks;
    /**
     * Mutual TLS on the peer port, or null for plaintext. With TLS, both ends present a
     * certificate of the cluster CA naming their member id ({@link CertNames#nodeName}).
     */
    public final ReloadingTls tls;

    /** The largest single raft message a peer can receive in a frame. */
    long maxMessageBytes() {
        return maxInboundMessageBytes - FRAME_OVERHEAD;
    }

    private TransportConfig(Builder b) {
        maxInboundMessageBytes = b.maxInboundMessageBytes;
        maxBatchBytes = b.maxBatchBytes;
        bulkQueueMessages = b.bulkQueueMessages;
        bulkQueueBytes = b.bulkQueueBytes;
        priorityQueueMessages = b.priorityQueueMessages;
        priorityQueueBytes = b.priorityQueueBytes;
        reconnectBackoffMin = b.reconnectBackoffMin;
        reconnectBackoffMax = b.reconnectBackoffMax;
        keepAliveTime = b.keepAliveTime;
        keepAliveTimeout = b.keepAliveTimeout;
        unreachableReportInterval = b.unreachableReportInterval;
        snapshotChunkBytes = b.snapshotChunkBytes;
        snapshotMaxAttempts = b.snapshotMaxAttempts;
        snapshotStallTimeout = b.snapshotStallTimeout;
        snapshotAckTimeout = b.snapshotAckTimeout;
        hostResolver = b.hostResolver;
        hooks = b.hooks;
        tls = b.tls;
        check(maxBatchBytes > 0 && maxBatchBytes + FRAME_OVERHEAD <= maxInboundMessageBytes,
                "maxBatchBytes must leave " + FRAME_OVERHEAD + " bytes of room in maxInboundMessageBytes");
        check(snapshotChunkBytes > 0 && snapshotChunkBytes + FRAME_OVERHEAD <= maxInboundMessageBytes,
                "snapshotChunkBytes must leave " + FRAME_OVERHEAD + " bytes of room in maxInboundMessageBytes");
        check(bulkQueueMessages > 0 && bulkQueueBytes > 0, "bulk queue bounds must be positive");
        check(priorityQueueMessages > 0 && priorityQueueBytes > 0, "priority queue bounds must be positive");
        check(!reconnectBackoffMin.isNegative() && !reconnectBackoffMin.isZero()
                && reconnectBackoffMax.compareTo(reconnectBackoffMin) >= 0, "bad reconnect back-off");
        check(snapshotMaxAttempts > 0, "snapshotMaxAttempts must be positive");
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalArgumentException(what);
        }
    }

    public static TransportConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxInboundMessageBytes = maxInboundMessageBytes;
        b.maxBatchBytes = maxBatchBytes;
        b.bulkQueueMessages = bulkQueueMessages;
        b.bulkQueueBytes = bulkQueueBytes;
        b.priorityQueueMessages = priorityQueueMessages;
        b.priorityQueueBytes = priorityQueueBytes;
        b.reconnectBackoffMin = reconnectBackoffMin;
        b.reconnectBackoffMax = reconnectBackoffMax;
        b.keepAliveTime = keepAliveTime;
        b.keepAliveTimeout = keepAliveTimeout;
        b.unreachableReportInterval = unreachableReportInterval;
        b.snapshotChunkBytes = snapshotChunkBytes;
        b.snapshotMaxAttempts = snapshotMaxAttempts;
        b.snapshotStallTimeout = snapshotStallTimeout;
        b.snapshotAckTimeout = snapshotAckTimeout;
        b.hostResolver = hostResolver;
        b.hooks = hooks;
        b.tls = tls;
        return b;
    }

    /** Mutable builder; starts at the defaults documented on each setter. */
    public static final class Builder {
        private int maxInboundMessageBytes = 16 * MIB;
        private int maxBatchBytes = 4 * MIB;
        private int bulkQueueMessages = 4096;
        private long bulkQueueBytes = 16L * MIB;
        private int priorityQueueMessages = 1024;
        private long priorityQueueBytes = MIB;
        private Duration reconnectBackoffMin = Duration.ofMillis(50);
        private Duration reconnectBackoffMax = Duration.ofSeconds(1);
        private Duration keepAliveTime = Duration.ofSeconds(10);
        private Duration keepAliveTimeout = Duration.ofSeconds(5);
        private Duration unreachableReportInterval = Duration.ofMillis(100);
        private int snapshotChunkBytes = MIB;
        private int snapshotMaxAttempts = 5;
        private Duration snapshotStallTimeout = Duration.ofSeconds(30);
        private Duration snapshotAckTimeout = Duration.ofMinutes(5);
        private HostResolver hostResolver = HostResolver.SYSTEM;
        private TransportHooks hooks = TransportHooks.NONE;
        private ReloadingTls tls;

        private Builder() {
        }

        /** Default 16 MiB. */
        public Builder maxInboundMessageBytes(int v) { maxInboundMessageBytes = v; return this; }
        /** Default 4 MiB. */
        public Builder maxBatchBytes(int v) { maxBatchBytes = v; return this; }
        /** Default 4096 messages and 16 MiB. */
        public Builder bulkQueue(int messages, long bytes) {
            bulkQueueMessages = messages;
            bulkQueueBytes = bytes;
            return this;
        }
        /** Default 1024 messages and 1 MiB. */
        public Builder priorityQueue(int messages, long bytes) {
            priorityQueueMessages = messages;
            priorityQueueBytes = bytes;
            return this;
        }
        /** Default 50 ms doubling to 1 s. */
        public Builder reconnectBackoff(Duration min, Duration max) {
            reconnectBackoffMin = Objects.requireNonNull(min);
            reconnectBackoffMax = Objects.requireNonNull(max);
            return this;
        }
        /** Default ping every 10 s, dead after 5 s without an answer. */
        public Builder keepAlive(Duration time, Duration timeout) {
            keepAliveTime = Objects.requireNonNull(time);
            keepAliveTimeout = Objects.requireNonNull(timeout);
            return this;
        }
        /** Default 100 ms. */
        public Builder unreachableReportInterval(Duration v) { unreachableReportInterval = Objects.requireNonNull(v); return this; }
        /** Default 1 MiB. */
        public Builder snapshotChunkBytes(int v) { snapshotChunkBytes = v; return this; }
        /** Default 5. */
        public Builder snapshotMaxAttempts(int v) { snapshotMaxAttempts = v; return this; }
        /** Default 30 s. */
        public Builder snapshotStallTimeout(Duration v) { snapshotStallTimeout = Objects.requireNonNull(v); return this; }
        /** Default 5 min. */
        public Builder snapshotAckTimeout(Duration v) { snapshotAckTimeout = Objects.requireNonNull(v); return this; }
        /** Default {@link HostResolver#SYSTEM}; tests map names to loopback addresses of their choosing. */
        public Builder hostResolver(HostResolver v) { hostResolver = Objects.requireNonNull(v); return this; }
        /** Default {@link TransportHooks#NONE}. */
        public Builder hooks(TransportHooks v) { hooks = Objects.requireNonNull(v); return this; }
        /** Default null: plaintext. */
        public Builder tls(ReloadingTls v) { tls = v; return this; }

        public TransportConfig build() {
            return new TransportConfig(this);
        }
    }
}
