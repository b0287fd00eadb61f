package io.kvorum.server.api;

import io.grpc.Context;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kvorum.proto.v1.BatchError;
import io.kvorum.proto.v1.ErrorReason;
import io.kvorum.proto.v1.WatchRequest;
import java.net.SocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Admission control at the client port's door, before any service sees a request: a node
 * takes on a bounded amount of work whatever the offered load, and says so at once when it
 * will not take more, instead of queueing without bound.
 *
 * <ul>
 *   <li>Reads and writes each have a server-wide in-flight limit, unary calls and the items
 *       of Batch streams alike ({@link #admit}). A request over it is
 *       closed RESOURCE_EXHAUSTED with reason OVERLOADED and a retry hint (ErrorInfo metadata
 *       {@code retry_after_ms} and the {@code retry-after-ms} trailer): it was never handed to
 *       the service, so a client may retry it anywhere, write or not.</li>
 *   <li>While the node's committed-but-unapplied entries exceed a limit (apply has fallen
 *       behind), new reads and writes are refused OVERLOADED the same way: both would only
 *       wait for apply, and queueing more makes the gap grow.</li>
 *   <li>A request whose deadline has already passed is refused DEADLINE_EXCEEDED without any
 *       work: its caller has given up.</li>
 *   <li>Per connection (keyed by the peer's address): at most so many streams (watch and
 *       keep-alive) open at once, and so many watches created and not cancelled over them; a
 *       stream past either is closed with TOO_MANY_STREAMS. A client cannot pin unbounded
 *       server memory through one connection.</li>
 * </ul>
 * Cluster administration (membership, status) is never shed: an operator must be able to act
 * on an overloaded cluster.
 *
 * <p>Invariant: every permit or count taken is given back exactly once, when the call closes
 * or is cancelled, whichever comes first.
 */
public final class Admission implements ServerInterceptor {
    private static final Set<String> READS = Set.of("kvorum.v1.KV/Get", "kvorum.v1.KV/Exists",
            "kvorum.v1.KV/Children");
    private static final Set<String> WRITES = Set.of("kvorum.v1.KV/Create", "kvorum.v1.KV/Set",
            "kvorum.v1.KV/Delete", "kvorum.v1.KV/Multi", "kvorum.v1.Session/Open", "kvorum.v1.Session/Close");
    static final Metadata.Key<String> RETRY_AFTER_MS = Metadata.Key.of("retry-after-ms", Metadata.ASCII_STRING_MARSHALLER);

    private final AdmissionLimits limits;
    private final ClientMetrics metrics;
    /** Committed entries this node has not applied yet, as last published by the node. */
    private final LongSupplier applyGap;
    private final Semaphore reads;
    private final Semaphore writes;
    private final ConcurrentHashMap<SocketAddress, Connection> connections = new ConcurrentHashMap<>();
    private final AtomicLong refusedReads = new AtomicLong();
    private final AtomicLong refusedWrites = new AtomicLong();
    private final AtomicLong cutStreams = new AtomicLong();
    private final String retryMillis;
    /** The refusals, built once (see {@link Refused}): in-flight limit full, apply behind. */
    private final Refusal readsFull;
    private final Refusal writesFull;
    private final Refusal readsBehind;
    private final Refusal writesBehind;

    public Admission(AdmissionLimits limits, LongSupplier applyGap) {
        this(limits, applyGap, ClientMetrics.NONE);
    }

    /** As above, reporting how long each admitted read and write took to be answered to {@code metrics}. */
    public Admission(AdmissionLimits limits, LongSupplier applyGap, ClientMetrics metrics) {
        this.limits = limits;
        this.metrics = metrics;
        this.applyGap = applyGap;
        this.reads = new Semaphore(limits.maxInFlightReads());
        this.writes = new Semaphore(limits.maxInFlightWrites());
        this.retryMillis = Long.toString(limits.retryAfter().toMillis());
        this.readsFull = refusal("this node is serving " + limits.maxInFlightReads() + " reads already (its limit):"
                + " the read was not started");
        this.writesFull = refusal("this node is serving " + limits.maxInFlightWrites() + " writes already (its limit):"
                + " the write was not started");
        String behind = "this node has more than " + limits.maxApplyGap() + " committed entries not applied yet"
                + " (its limit): the ";
        this.readsBehind = refusal(behind + "read was not started");
        this.writesBehind = refusal(behind + "write was not started");
    }

    /** What one connection holds open. */
    private static final class Connection {
        final AtomicInteger streams = new AtomicInteger();
        final AtomicInteger watches = new AtomicInteger();
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                                                         ServerCallHandler<Q, A> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        if (Context.current().getDeadline() != null && Context.current().getDeadline().isExpired()) {
            call.close(Status.DEADLINE_EXCEEDED.withDescription(method + " arrived after its deadline had passed;"
                    + " nothing was done"), new Metadata());
            return new ServerCall.Listener<>() { };
        }
        boolean isRead = READS.contains(method);
        if (isRead || WRITES.contains(method)) {
            Runnable permit;
            try {
                permit = admit(isRead);
            } catch (StatusRuntimeException refused) {
                close(call, refused);
                return new ServerCall.Listener<>() { };
            }
            Release release = new Release(permit);
            return new ReleasingListener<>(next.startCall(new ReleasingCall<>(call, release), headers), release);
        }
        if (call.getMethodDescriptor().getType().clientSendsOneMessage()) {
            return next.startCall(call, headers); // cluster administration: never shed
        }
        return stream(call, headers, next, method);
    }

    private <Q, A> ServerCall.Listener<Q> stream(ServerCall<Q, A> call, Metadata headers,
                                                 ServerCallHandler<Q, A> next, String method) {
        SocketAddress peer = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
        SocketAddress key = peer == null ? NO_ADDRESS : peer;
        // Checked, counted and uncounted under the map's lock for the key: a connection's entry
        // is never dropped while a stream is being added to it, and streams a connection opens
        // at once (their starts run on different threads) are admitted up to the limit exactly.
        // Reading the count after the lock would refuse streams that a later one pushed over it.
        boolean[] admitted = new boolean[1];
        Connection c = connections.compute(key, (k, v) -> {
            Connection conn = v == null ? new Connection() : v;
            admitted[0] = conn.streams.get() < limits.maxStreamsPerConnection();
            if (admitted[0]) {
                conn.streams.incrementAndGet();
            }
            return conn;
        });
        if (!admitted[0]) {
            cutStreams.incrementAndGet();
            refuse(call, ErrorReason.TOO_MANY_STREAMS, "this connection has " + limits.maxStreamsPerConnection()
                    + " streams open already (the limit per connection): " + method + " was not opened");
            return new ServerCall.Listener<>() { };
        }
        AtomicInteger watchesHere = new AtomicInteger();
        Release release = new Release(() -> {
            c.watches.addAndGet(-watchesHere.get());
            connections.computeIfPresent(key, (k, v) -> v.streams.decrementAndGet() == 0 ? null : v);
        });
        GuardedCall<Q, A> guarded = new GuardedCall<>(call, release);
        ServerCall.Listener<Q> inner = next.startCall(guarded, headers);
        return new ReleasingListener<>(inner, release) {
            @Override
            public void onMessage(Q message) {
                if (message instanceof WatchRequest r) {
                    if (r.hasCreate()) {
                        watchesHere.incrementAndGet();
                        if (c.watches.incrementAndGet() > limits.maxWatchesPerConnection()) {
                            cutStreams.incrementAndGet();
                            guarded.cut(ErrorReason.TOO_MANY_STREAMS, "this connection has "
                                    + limits.maxWatchesPerConnection() + " watches open already (the limit per"
                                    + " connection): the stream that asked for one more is closed");
                            return;
                        }
                    } else if (r.hasCancel() && watchesHere.get() > 0) {
                        watchesHere.decrementAndGet();
                        c.watches.decrementAndGet();
                    }
                }
                super.onMessage(message);
            }
        };
    }

    private static final SocketAddress NO_ADDRESS = new SocketAddress() {
        private static final long serialVersionUID = 1L;
    };

    /**
     * The door of one read or write, a unary call or an item of a Batch stream alike (a batch
     * must not carry more work past the door than the same calls sent one by one).
     *
     * @return the permit, to run exactly once when the work is answered
     * @throws StatusRuntimeException OVERLOADED with a retry hint ({@link Refused}), having taken nothing
     */
    Runnable admit(boolean isRead) {
        Refusal refused = take(isRead);
        if (refused != null) {
            throw overloaded(refused);
        }
        return permit(isRead);
    }

    /**
     * The door of one Batch stream item: as {@link #admit}, but a refusal is the one instance
     * built at start (an item's answer needs no trailers of its own), so refusing allocates
     * nothing.
     *
     * @throws Refused OVERLOADED with a retry hint, having taken nothing
     */
    Runnable admitItem(boolean isRead) {
        Refusal refused = take(isRead);
        if (refused != null) {
            throw refused.item();
        }
        return permit(isRead);
    }

    /**
     * Counts {@code n} reads or writes refused without asking the door: the rest of a Batch
     * message's items of a kind once one of them was refused (see {@code BatchStream}).
     */
    void refusedAlso(boolean isRead, int n) {
        (isRead ? refusedReads : refusedWrites).addAndGet(n);
    }

    /** Null having taken a permit, else the refusal (counted). */
    private Refusal take(boolean isRead) {
        if (applyGap.getAsLong() > limits.maxApplyGap()) {
            (isRead ? refusedReads : refusedWrites).incrementAndGet();
            return isRead ? readsBehind : writesBehind;
        }
        if (!(isRead ? reads : writes).tryAcquire()) {
            (isRead ? refusedReads : refusedWrites).incrementAndGet();
            return isRead ? readsFull : writesFull;
        }
        return null;
    }

    private Runnable permit(boolean isRead) {
        Semaphore permits = isRead ? reads : writes;
        long admittedAt = System.nanoTime();
        return () -> {
            permits.release();
            metrics.admittedAnswered(isRead, System.nanoTime() - admittedAt);
        };
    }

    /**
     * An OVERLOADED status with its details (ErrorInfo with retry_after_ms), and as thrown for a
     * Batch item, with its Batch answer.
     */
    private record Refusal(StatusRuntimeException status, BatchError batchError, Refused item) {
    }

    private Refusal refusal(String message) {
        StatusRuntimeException e = Errors.of(ErrorReason.OVERLOADED, message + "; retry after " + retryMillis + " ms",
                "retry_after_ms", retryMillis);
        Refusal r = new Refusal(e, BatchStream.toBatchError(e), null);
        return new Refusal(e, r.batchError(), overloaded(r));
    }

    /** The refusal as thrown, with trailers of its own: a call's close adds its status to them. */
    private Refused overloaded(Refusal r) {
        Metadata trailers = new Metadata();
        if (r.status().getTrailers() != null) {
            trailers.merge(r.status().getTrailers());
        }
        trailers.put(RETRY_AFTER_MS, retryMillis);
        return new Refused(r.status().getStatus(), trailers, r.batchError());
    }

    /**
     * A refusal answered without any work: OVERLOADED from the door, or a Batch stream's own
     * limit. Under overload most requests end here, so it must cost little: no stack trace
     * (nothing failed but a full limit), and its status, details and Batch answer built once,
     * at start.
     */
    static final class Refused extends StatusRuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient BatchError batchError;

        Refused(Status status, Metadata trailers, BatchError batchError) {
            super(status, trailers);
            this.batchError = batchError;
        }

        /** The answer a Batch stream item refused this way gets. */
        BatchError batchError() {
            return batchError;
        }

        @Override
        public Throwable fillInStackTrace() {
            return this;
        }
    }

    private void refuse(ServerCall<?, ?> call, ErrorReason reason, String message) {
        close(call, Errors.of(reason, message));
    }

    private static void close(ServerCall<?, ?> call, StatusRuntimeException e) {
        call.close(e.getStatus(), e.getTrailers() == null ? new Metadata() : e.getTrailers());
    }

    /** Requests refused as over a limit since start: reads, writes, streams cut. */
    public long refusedReads() {
        return refusedReads.get();
    }

    public long refusedWrites() {
        return refusedWrites.get();
    }

    public long cutStreams() {
        return cutStreams.get();
    }

    /** Reads and writes being served now. */
    public int inFlightReads() {
        return limits.maxInFlightReads() - reads.availablePermits();
    }

    public int inFlightWrites() {
        return limits.maxInFlightWrites() - writes.availablePermits();
    }

    /** Streams open now over all connections. */
    public int openStreams() {
        return connections.values().stream().mapToInt(c -> c.streams.get()).sum();
    }

    /** Runs its action once, however often it is called. */
    private static final class Release {
        private final AtomicBoolean done = new AtomicBoolean();
        private final Runnable action;

        Release(Runnable action) {
            this.action = action;
        }

        void run() {
            if (done.compareAndSet(false, true)) {
                action.run();
            }
        }
    }

    private static class ReleasingCall<Q, A> extends ForwardingServerCall.SimpleForwardingServerCall<Q, A> {
        private final Release release;

        ReleasingCall(ServerCall<Q, A> call, Release release) {
            super(call);
            this.release = release;
        }

        @Override
        public void close(Status status, Metadata trailers) {
            release.run();
            super.close(status, trailers);
        }
    }

    /**
     * A stream the door may close while the service still writes to it: sends and closes are
     * serialized, and once closed, the service's later sends and close are dropped.
     */
    private final class GuardedCall<Q, A> extends ReleasingCall<Q, A> {
        private boolean closed;

        GuardedCall(ServerCall<Q, A> call, Release release) {
            super(call, release);
        }

        @Override
        public synchronized void sendMessage(A message) {
            if (!closed) {
                super.sendMessage(message);
            }
        }

        @Override
        public synchronized void close(Status status, Metadata trailers) {
            if (!closed) {
                closed = true;
                super.close(status, trailers);
            }
        }

        @Override
        public synchronized boolean isReady() {
            return !closed && super.isReady();
        }

        void cut(ErrorReason reason, String message) {
            StatusRuntimeException e = Errors.of(reason, message);
            close(e.getStatus(), e.getTrailers() == null ? new Metadata() : e.getTrailers());
        }
    }

    private static class ReleasingListener<Q> extends ForwardingServerCallListener.SimpleForwardingServerCallListener<Q> {
        private final Release release;

        ReleasingListener(ServerCall.Listener<Q> delegate, Release release) {
            super(delegate);
            this.release = release;
        }

        @Override
        public void onCancel() {
            release.run();
            super.onCancel();
        }

        @Override
        public void onComplete() {
            release.run();
            super.onComplete();
        }
    }
}
