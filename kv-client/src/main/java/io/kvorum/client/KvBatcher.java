package io.kvorum.client;

import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.Message;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kvorum.proto.batch.BatchRefusals;
import io.kvorum.proto.batch.MessageBurst;
import io.kvorum.proto.v1.BatchError;
import io.kvorum.proto.v1.BatchItem;
import io.kvorum.proto.v1.BatchRefusal;
import io.kvorum.proto.v1.BatchRequest;
import io.kvorum.proto.v1.BatchResponse;
import io.kvorum.proto.v1.BatchResult;
import io.kvorum.proto.v1.CreateRequest;
import io.kvorum.proto.v1.DeleteRequest;
import io.kvorum.proto.v1.ExistsRequest;
import io.kvorum.proto.v1.GetRequest;
import io.kvorum.proto.v1.KVGrpc;
import io.kvorum.proto.v1.MultiRequest;
import io.kvorum.proto.v1.SetRequest;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Sends the point calls of one channel (Create, Set, Delete, Multi, Get, Exists) as items of one
 * {@code KV.Batch} stream instead of one unary call each, and hands each caller the same future
 * a unary call gives: the response, or a {@link StatusRuntimeException} rebuilt from the item's
 * BatchError (code, message, and the {@code grpc-status-details-bin} trailer), so error mapping
 * and retries cannot tell the difference.
 *
 * <p>When requests leave: a request issued while this thread delivers a burst of answers
 * ({@link MessageBurst}: the callbacks of one response message) goes out with the others of that
 * burst, as one message at its end. Any other request is sent at once, unless another thread
 * is sending on the stream right now or the stream is not ready (HTTP/2 flow control, still
 * connecting): then it goes out with the next message that sender or the ready signal sends.
 * At most {@link #MAX_IN_FLIGHT} items wait for answers (the server's bound); more wait here.
 *
 * <p>Per call: an id, a map entry, a queue offer; no lock, no executor hop, no timer. Answers are
 * delivered on the transport thread that read them, so the callers' futures complete there. One
 * sweep per batcher fails items past their deadline (DEADLINE_EXCEEDED): it is armed for the
 * earliest deadline among the items waiting, and again after each run for the earliest left, so
 * callers whose deadlines lie seconds ahead wake no thread until then (a sweep every few
 * milliseconds woke one hundreds of times a second under a lone caller). A request issued in a
 * burst whose callback blocks leaves when the burst ends; the answers of that transport thread
 * wait for it anyway.
 *
 * <p>The stream is opened on first use and again after it ends. When it ends, every item sent
 * or queued on it fails with UNAVAILABLE (the retry loop and exactly-once sequences take it from
 * there); a server without Batch (UNIMPLEMENTED) gets those items, and every call after them, as
 * unary calls. Requests larger than {@link #MAX_ITEM_BYTES} always go unary: batching buys them
 * nothing, and they keep batch messages far below any server's inbound limit.
 */
final class KvBatcher {
    /** Items of one stream waiting for answers; kvorum.proto's bound for the server. */
    static final int MAX_IN_FLIGHT = 4096;
    /** Larger requests are sent as unary calls. */
    static final int MAX_ITEM_BYTES = 32 * 1024;
    /** A batch message stops growing here (its first item always fits): below any server's inbound cap. */
    static final int MAX_MESSAGE_BYTES = 64 * 1024;
    private static final Metadata.Key<byte[]> STATUS_DETAILS =
            Metadata.Key.of("grpc-status-details-bin", Metadata.BINARY_BYTE_MARSHALLER);
    private static final Map<MethodDescriptor<?, ?>, Kind<?, ?>> KINDS = kinds();

    /** A sweep scheduled to run at {@code atNanos} ({@link System#nanoTime}). */
    private record ArmedSweep(long atNanos, long number, ScheduledFuture<?> task) {
    }

    /** How one point call travels as an item and comes back as a result. */
    private record Kind<Req, Resp>(BiConsumer<BatchItem.Builder, Req> put, BatchResult.ResultCase answer,
                                   Function<BatchResult, Resp> get) {
    }

    private final Channel channel;
    private final ScheduledExecutorService scheduler;
    private final AtomicReference<Stream> current = new AtomicReference<>();
    private final AtomicLong ids = new AtomicLong();
    /** The sweep armed now, or null; replaced under {@code this}, read without it. */
    private volatile ArmedSweep armedSweep;
    /** Numbers each arming, so that a sweep clears only its own {@link #armedSweep}. */
    private long sweepsArmed;
    /** The server does not serve Batch: everything goes unary. */
    private volatile boolean unsupported;
    private volatile boolean closed;

    KvBatcher(Channel channel, ScheduledExecutorService scheduler) {
        this.channel = channel;
        this.scheduler = scheduler;
    }

    /** The call's future, or null when it must go as a unary call (not a point call, too large, no Batch). */
    @SuppressWarnings("unchecked")
    <Req, Resp> CompletableFuture<Resp> submit(MethodDescriptor<Req, Resp> method, CallOptions options, Req request) {
        Kind<Req, Resp> kind = (Kind<Req, Resp>) KINDS.get(method);
        if (kind == null || unsupported || closed || ((Message) request).getSerializedSize() > MAX_ITEM_BYTES) {
            return null;
        }
        Deadline deadline = options.getDeadline();
        long deadlineAtNanos = 0; // System.nanoTime's clock; read once per call
        if (deadline != null) {
            long left = deadline.timeRemaining(TimeUnit.NANOSECONDS);
            if (left <= 0) {
                return CompletableFuture.failedFuture(deadlineExceeded());
            }
            deadlineAtNanos = System.nanoTime() + left;
        }
        long id = ids.incrementAndGet();
        for (int tries = 1; ; tries++) {
            Stream s = stream();
            Pending<Req, Resp> p = new Pending<>(s, id, kind, method, options, request);
            s.pending.put(id, p);
            s.outbox.add(p);
            if (s.hasEnded() && s.pending.remove(id, p)) {
                // The stream ended before it could take the item, which was never sent: a fresh
                // stream takes it, unless that one ended too. A stream on a channel that is shut
                // down ends inside its own start (its callbacks run on the calling thread), so
                // trying again and again would never stop: the call fails as the stream did.
                if (unsupported) {
                    return null;
                }
                if (tries < 2) {
                    continue;
                }
                p.completeExceptionally(s.endError);
                return p;
            }
            if (deadline != null) {
                armSweep(deadlineAtNanos);
            }
            if (!MessageBurst.defer(s)) {
                s.flush();
            }
            return p;
        }
    }

    /** Stops batching: the stream is half-closed once its items are sent; later calls go unary. */
    void close() {
        closed = true;
        Stream s = current.get();
        if (s != null) {
            s.closing = true;
            s.flush();
        }
    }

    private Stream stream() {
        while (true) {
            Stream s = current.get();
            if (s != null) {
                return s;
            }
            // The stream's callbacks run on the transport thread that read the answer, not on
            // gRPC's executor: a hand-off there cost a thread wake-up per answer message, which a
            // single caller pays in latency and every caller in CPU. So callers' futures complete
            // on that thread (AsyncKvorumClient says: light work only), and Blocking refuses to
            // wait on it. Guava's direct executor, not any other that runs tasks in place: gRPC
            // recognizes only that one and then calls the listener without queueing each callback.
            Stream fresh = new Stream(channel.newCall(KVGrpc.getBatchMethod(),
                    CallOptions.DEFAULT.withExecutor(MoreExecutors.directExecutor())));
            if (current.compareAndSet(null, fresh)) {
                fresh.start();
                return fresh;
            }
        }
    }

    /**
     * Makes sure a sweep runs no later than {@code atNanos}. Per call this is one volatile read
     * when a sweep at or before it is armed already, as it is whenever calls carry the same
     * timeout: each later call's deadline is later.
     */
    private void armSweep(long atNanos) {
        ArmedSweep armed = armedSweep;
        if (armed != null && armed.atNanos() - atNanos <= 0) {
            return;
        }
        synchronized (this) {
            armed = armedSweep;
            if (armed != null) {
                if (armed.atNanos() - atNanos <= 0) {
                    return;
                }
                armed.task().cancel(false);
            }
            long number = ++sweepsArmed;
            try {
                ScheduledFuture<?> task = scheduler.schedule(() -> sweep(number),
                        Math.max(0, atNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
                armedSweep = new ArmedSweep(atNanos, number, task);
            } catch (RejectedExecutionException clientClosing) {
                armedSweep = null;
            }
        }
    }

    /**
     * Fails the items past their deadline, sends anything queued, and arms the next sweep for the
     * earliest deadline left. The sweep's own arming is cleared before the items are looked at:
     * an item added meanwhile either is seen here or finds no sweep armed and arms one.
     */
    private void sweep(long number) {
        synchronized (this) {
            ArmedSweep armed = armedSweep;
            if (armed != null && armed.number() == number) {
                armedSweep = null;
            }
        }
        Stream s = current.get();
        if (s == null) {
            return;
        }
        long now = System.nanoTime();
        long earliest = 0;
        boolean waiting = false;
        for (Pending<?, ?> p : s.pending.values()) {
            Deadline d = p.options.getDeadline();
            if (d == null) {
                continue;
            }
            long left = d.timeRemaining(TimeUnit.NANOSECONDS);
            if (left <= 0) {
                if (s.pending.remove(p.id, p)) {
                    p.completeExceptionally(deadlineExceeded());
                }
            } else if (!waiting || now + left - earliest < 0) {
                earliest = now + left;
                waiting = true;
            }
        }
        if (!s.outbox.isEmpty()) {
            s.flush();
        }
        if (waiting) {
            armSweep(earliest);
        }
    }

    private StatusRuntimeException deadlineExceeded() {
        return Status.DEADLINE_EXCEEDED.withDescription("deadline exceeded: no answer from " + channel.authority()
                + " within the call's deadline (batched call)").asRuntimeException();
    }

    /** The unary error a BatchError stands for. */
    static StatusRuntimeException toException(BatchError e) {
        Metadata trailers = new Metadata();
        if (!e.getDetails().isEmpty()) {
            trailers.put(STATUS_DETAILS, e.getDetails().toByteArray());
        }
        return Status.fromCodeValue(e.getCode()).withDescription(e.getMessage().isEmpty() ? null : e.getMessage())
                .asRuntimeException(trailers);
    }

    /** One call: its caller's future. Cancelling it drops the answer. */
    private final class Pending<Req, Resp> extends CompletableFuture<Resp> {
        final Stream stream;
        final long id;
        final Kind<Req, Resp> kind;
        final MethodDescriptor<Req, Resp> method;
        final CallOptions options;
        final Req request;

        Pending(Stream stream, long id, Kind<Req, Resp> kind, MethodDescriptor<Req, Resp> method,
                CallOptions options, Req request) {
            this.stream = stream;
            this.id = id;
            this.kind = kind;
            this.method = method;
            this.options = options;
            this.request = request;
        }

        /** The item as sent now: the deadline left is measured at sending. */
        BatchItem item() {
            BatchItem.Builder b = BatchItem.newBuilder().setId(id);
            Deadline d = options.getDeadline();
            if (d != null) {
                b.setTimeoutMillis(Math.max(1, d.timeRemaining(TimeUnit.MILLISECONDS)));
            }
            kind.put().accept(b, request);
            return b.build();
        }

        void deliver(BatchResult r) {
            if (r.getResultCase() == BatchResult.ResultCase.ERROR) {
                completeExceptionally(toException(r.getError()));
            } else if (r.getResultCase() != kind.answer()) {
                completeExceptionally(Status.INTERNAL.withDescription("the server answered " + r.getResultCase()
                        + " to " + method.getBareMethodName()).asRuntimeException());
            } else {
                complete(kind.get().apply(r));
            }
        }

        /** Sends it as a unary call instead (the server has no Batch, so it never saw it). */
        void sendUnary() {
            Rpc.call(channel, method, options, request).whenComplete((v, e) -> {
                if (e == null) {
                    complete(v);
                } else {
                    completeExceptionally(e);
                }
            });
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            if (cancelled) {
                stream.pending.remove(id, this);
            }
            return cancelled;
        }
    }

    /**
     * One Batch stream. Invariant: after start, every send, half-close and readiness check on
     * the call happens inside {@link #flush()}, run by one thread at a time (see {@link MessageBurst.Sender}).
     */
    private final class Stream extends MessageBurst.Sender {
        final ClientCall<BatchRequest, BatchResponse> call;
        /** Items queued or sent and not yet answered, by id. */
        final Map<Long, Pending<?, ?>> pending = new ConcurrentHashMap<>();
        final ConcurrentLinkedQueue<Pending<?, ?>> outbox = new ConcurrentLinkedQueue<>();
        /** Items sent that the server has not answered (whether or not their caller still waits). */
        final AtomicInteger unanswered = new AtomicInteger();
        volatile boolean started;
        /** The error the stream's items failed with once it ended; null while it is open. */
        volatile StatusRuntimeException endError;
        volatile boolean closing;
        /** Only inside flush(). */
        boolean halfClosed;

        Stream(ClientCall<BatchRequest, BatchResponse> call) {
            this.call = call;
        }

        void start() {
            call.start(new ClientCall.Listener<>() {
                @Override
                public void onMessage(BatchResponse message) {
                    answered(message);
                }

                @Override
                public void onReady() {
                    flush();
                }

                @Override
                public void onClose(Status status, Metadata trailers) {
                    ended(status, trailers);
                }
            }, BatchRefusals.asking());
            call.request(1);
            started = true;
            flush();
        }

        private void answered(BatchResponse message) {
            MessageBurst.run(() -> {
                for (BatchResult r : message.getResultsList()) {
                    unanswered.decrementAndGet();
                    Pending<?, ?> p = pending.remove(r.getId());
                    if (p != null) {
                        p.deliver(r);
                    }
                }
                // Each refused item fails as its unary call would have (RESOURCE_EXHAUSTED, the
                // retry hint in its details): the retry loop backs off and sends it again.
                for (BatchRefusal refusal : message.getRefusalsList()) {
                    for (int i = 0; i < refusal.getIdsCount(); i++) {
                        unanswered.decrementAndGet();
                        Pending<?, ?> p = pending.remove(refusal.getIds(i));
                        if (p != null) {
                            p.completeExceptionally(toException(refusal.getError()));
                        }
                    }
                }
            });
            call.request(1); // ClientCall.request may be called from any thread
            if (!outbox.isEmpty()) {
                flush(); // answers made room under the in-flight bound
            }
        }

        boolean hasEnded() {
            return endError != null;
        }

        private void ended(Status status, Metadata trailers) {
            boolean noBatch = status.getCode() == Status.Code.UNIMPLEMENTED;
            // No valid login (or none allowed): the answer each item would get as a unary call,
            // passed on as it is rather than as a broken stream to retry.
            boolean refusedCaller = status.getCode() == Status.Code.UNAUTHENTICATED
                    || status.getCode() == Status.Code.PERMISSION_DENIED;
            StatusRuntimeException broken = refusedCaller ? status.asRuntimeException(trailers)
                    : Status.UNAVAILABLE.withDescription("the batch stream to "
                    + channel.authority() + " ended: " + status.getCode()
                    + (status.getDescription() == null ? "" : " " + status.getDescription()))
                    .withCause(status.getCause()).asRuntimeException();
            if (noBatch) {
                unsupported = true;
            }
            endError = broken;
            current.compareAndSet(this, null);
            for (Pending<?, ?> p : pending.values()) {
                if (pending.remove(p.id, p)) {
                    if (noBatch) {
                        p.sendUnary();
                    } else {
                        p.completeExceptionally(broken);
                    }
                }
            }
        }

        @Override
        protected void drain() {
            if (!started || hasEnded() || halfClosed) {
                return;
            }
            while (!outbox.isEmpty() && call.isReady() && unanswered.get() < MAX_IN_FLIGHT) {
                BatchRequest.Builder message = BatchRequest.newBuilder();
                int bytes = 0;
                int n = 0;
                for (Pending<?, ?> p = outbox.peek(); p != null && unanswered.get() + n < MAX_IN_FLIGHT;
                     p = outbox.peek()) {
                    if (p.isDone()) {
                        outbox.poll(); // cancelled or past its deadline before it left
                        continue;
                    }
                    BatchItem item = p.item();
                    int size = item.getSerializedSize();
                    if (n > 0 && bytes + size > MAX_MESSAGE_BYTES) {
                        break;
                    }
                    outbox.poll();
                    message.addItems(item);
                    bytes += size;
                    n++;
                }
                if (n == 0) {
                    break;
                }
                unanswered.addAndGet(n);
                call.sendMessage(message.build());
            }
            if (closing && outbox.isEmpty()) {
                halfClosed = true;
                call.halfClose();
            }
        }
    }

    private static Map<MethodDescriptor<?, ?>, Kind<?, ?>> kinds() {
        Map<MethodDescriptor<?, ?>, Kind<?, ?>> m = new IdentityHashMap<>();
        m.put(KVGrpc.getCreateMethod(), new Kind<CreateRequest, Object>(BatchItem.Builder::setCreate,
                BatchResult.ResultCase.CREATE, BatchResult::getCreate));
        m.put(KVGrpc.getSetMethod(), new Kind<SetRequest, Object>(BatchItem.Builder::setSet,
                BatchResult.ResultCase.SET, BatchResult::getSet));
        m.put(KVGrpc.getDeleteMethod(), new Kind<DeleteRequest, Object>(BatchItem.Builder::setDelete,
                BatchResult.ResultCase.DELETE, BatchResult::getDelete));
        m.put(KVGrpc.getMultiMethod(), new Kind<MultiRequest, Object>(BatchItem.Builder::setMulti,
                BatchResult.ResultCase.MULTI, BatchResult::getMulti));
        m.put(KVGrpc.getGetMethod(), new Kind<GetRequest, Object>(BatchItem.Builder::setGet,
                BatchResult.ResultCase.GET, BatchResult::getGet));
        m.put(KVGrpc.getExistsMethod(), new Kind<ExistsRequest, Object>(BatchItem.Builder::setExists,
                BatchResult.ResultCase.EXISTS, BatchResult::getExists));
        return m;
    }
}
