package io.kvorum.server.api;

import com.google.protobuf.ByteString;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.kvorum.proto.batch.BatchRefusals;
import io.kvorum.proto.batch.MessageBurst;
import io.kvorum.proto.v1.BatchError;
import io.kvorum.proto.v1.BatchItem;
import io.kvorum.proto.v1.BatchRefusal;
import io.kvorum.proto.v1.BatchResponse;
import io.kvorum.proto.v1.BatchResult;
import io.kvorum.proto.v1.ErrorReason;
import io.kvorum.proto.v1.KVGrpc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * One Batch stream (kvorum.proto, {@code KV.Batch}): many point calls of one client over one
 * HTTP/2 stream, each item run by the same {@link KvService} code as its unary call.
 *
 * <p>Items are dispatched in arrival order on the thread that reads them (the Netty thread, as
 * point calls are), so one client's writes are proposed in the order it sent them. Each result
 * goes to the stream's outbound queue; the queue is sent as one BatchResponse per burst: the
 * items of one inbound message form a burst, and so does each burst of the node's apply stage
 * (a batch of proposals applied, the reads one barrier released) through {@link MessageBurst}.
 * A result completing outside any burst (a timeout, a retried barrier) is sent at once.
 *
 * <p>Flow control, bounded memory: at most {@link #MAX_IN_FLIGHT} items wait for their result
 * to be sent; an item beyond that is answered RESOURCE_EXHAUSTED at once. Results are held while
 * gRPC says the stream is not ready, and the next inbound message is only asked for while it is
 * ready, so a client that stops reading stops being read.
 *
 * <p>The door: every read or write item passes {@link Admission} as its unary call would, before
 * its call is even parsed ({@link BatchParsing} reads only ids, timeouts and which call each
 * item carries); under overload most items end there, and refusing costs an id in a shared
 * answer ({@code BatchResponse.refusals} for a client that asked with {@link BatchRefusals#HEADER}, else a
 * BatchResult each carrying the error built once at start).
 *
 * <p>Access: every admitted item goes through {@link ItemCheck}, as the request of its unary
 * call would, and a refused item is answered with the unary call's error (the stream stays open
 * for the others).
 *
 * <p>Invariant: every interaction with the {@link ServerCall} after it started (send, request,
 * close) happens inside {@link #flush()}, which one thread at a time runs (see
 * {@link MessageBurst.Sender}); other threads only queue results and set flags, then call it.
 */
final class BatchStream extends MessageBurst.Sender {
    /** Items of one stream waiting for their result to be sent; kvorum.proto promises this number. */
    static final int MAX_IN_FLIGHT = 4096;
    /** The answer to an item beyond {@link #MAX_IN_FLIGHT}, built once: see {@link Admission.Refused}. */
    private static final Admission.Refused STREAM_FULL = streamFull();
    /** Ids per BatchRefusal: even as a BatchResult each (a client that did not ask), a group stays well under a message. */
    static final int MAX_REFUSAL_IDS = 1024;
    /** A response message stops growing here (one larger result still goes alone). */
    static final int MAX_RESPONSE_BYTES = 1 << 20;

    private final ServerCall<?, BatchResponse> call;
    private final KvService kv;
    private final SpaceQuota quota;
    private final Admission admission;
    private final ItemCheck access;
    private final Errors errors;
    private final Duration defaultDeadline;
    private final ConcurrentLinkedQueue<BatchResult> results = new ConcurrentLinkedQueue<>();
    /** Items refused at once, a group per refusal and inbound message, to be sent after {@link #results}. */
    private final ConcurrentLinkedQueue<RefusedIds> refused = new ConcurrentLinkedQueue<>();
    /** The client asked for refusals as BatchResponse.refusals (see {@link BatchRefusals}). */
    private final boolean packedRefusals;
    /** Only on the thread reading the stream (gRPC calls a listener one callback at a time). */
    private final List<RefusedIds> refusing = new ArrayList<>(2);
    /** Items accepted (or refused) whose result is not yet handed to gRPC. */
    private final AtomicInteger unanswered = new AtomicInteger();
    /** The listener finished a message and wants the next. */
    private volatile boolean wantMessage;
    private volatile boolean halfClosed;
    private volatile boolean cancelled;
    /** The stream must end with this error (a message that could not be read). */
    private volatile StatusRuntimeException failure;
    /** Only inside flush(). */
    private boolean closed;

    /** Decides whether the caller of the stream may make one item's call. */
    interface ItemCheck {
        /** Lets every item through (auth is not wired in). */
        ItemCheck NONE = (op, request) -> null;

        /**
         * Null if the caller may send {@code request} (an item's unary request), else the
         * error its unary call would end with; {@code op} names the call for the audit log.
         */
        StatusRuntimeException refusal(String op, Object request);
    }

    private BatchStream(ServerCall<?, BatchResponse> call, KvService kv, Errors errors, Duration defaultDeadline,
                        SpaceQuota quota, Admission admission, ItemCheck access, boolean packedRefusals) {
        this.call = call;
        this.packedRefusals = packedRefusals;
        this.kv = kv;
        this.quota = quota;
        this.admission = admission;
        this.access = access;
        this.errors = errors;
        this.defaultDeadline = defaultDeadline;
    }

    /**
     * {@code kv}'s service definition with Batch bound to this handler, parsing requests item by
     * item ({@link BatchParsing}); the other methods are kept as they are.
     */
    static ServerServiceDefinition bind(ServerServiceDefinition service, KvService kv, Errors errors,
                                        Duration defaultDeadline, SpaceQuota quota, Admission admission,
                                        ItemCheck access) {
        MethodDescriptor<BatchParsing.Parsed, BatchResponse> batch = KVGrpc.getBatchMethod()
                .toBuilder(new BatchParsing(), KVGrpc.getBatchMethod().getResponseMarshaller()).build();
        ServiceDescriptor old = service.getServiceDescriptor();
        ServiceDescriptor.Builder sd = ServiceDescriptor.newBuilder(old.getName())
                .setSchemaDescriptor(old.getSchemaDescriptor()).addMethod(batch);
        for (ServerMethodDefinition<?, ?> m : service.getMethods()) {
            if (!m.getMethodDescriptor().getFullMethodName().equals(batch.getFullMethodName())) {
                sd.addMethod(m.getMethodDescriptor());
            }
        }
        ServerCallHandler<BatchParsing.Parsed, BatchResponse> handler = (call, headers) ->
                new BatchStream(call, kv, errors, defaultDeadline, quota, admission, access,
                        BatchRefusals.PACKED.equals(headers.get(BatchRefusals.HEADER))).start();
        ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(sd.build()).addMethod(batch, handler);
        for (ServerMethodDefinition<?, ?> m : service.getMethods()) {
            if (!m.getMethodDescriptor().getFullMethodName().equals(batch.getFullMethodName())) {
                b.addMethod(m);
            }
        }
        return b.build();
    }

    private ServerCall.Listener<BatchParsing.Parsed> start() {
        call.sendHeaders(new Metadata());
        call.request(1);
        return new ServerCall.Listener<>() {
            @Override
            public void onMessage(BatchParsing.Parsed message) {
                if (message.whole() != null) {
                    failure = message.whole();
                } else {
                    MessageBurst.run(() -> accept(message));
                    wantMessage = true;
                }
                flush();
            }

            @Override
            public void onHalfClose() {
                halfClosed = true;
                flush();
            }

            @Override
            public void onCancel() {
                cancelled = true;
                flush();
            }

            @Override
            public void onReady() {
                flush();
            }
        };
    }

    /**
     * One inbound message's items, in order. The door comes first, before the item's call is
     * parsed, as for a unary call; once it refuses a read or a write, the rest of the message's
     * items of that kind are refused the same way without asking it again (counted all the
     * same), so the writes a message gets admitted are the first of its writes. A refused item
     * costs its id in a group ({@link RefusedIds}): no parse, no future, no result of its own.
     */
    private void accept(BatchParsing.Parsed m) {
        try {
            acceptAll(m);
        } finally {
            if (!refusing.isEmpty()) {
                refused.addAll(refusing);
                refusing.clear();
                if (!MessageBurst.defer(this)) {
                    flush();
                }
            }
        }
    }

    private void acceptAll(BatchParsing.Parsed m) {
        Admission.Refused readsRefused = null;
        Admission.Refused writesRefused = null;
        int readsAlso = 0;
        int writesAlso = 0;
        for (int i = 0; i < m.size(); i++) {
            long id = m.id(i);
            if (unanswered.incrementAndGet() > MAX_IN_FLIGHT) {
                refuse(STREAM_FULL, id);
                continue;
            }
            StatusRuntimeException bad = m.error(i);
            if (bad != null) {
                fail(id, bad);
                continue;
            }
            if (m.op(i) == 0) {
                fail(id, Errors.of(ErrorReason.INVALID_DATA, "batch item " + id
                        + " is not valid: it carries no operation"));
                continue;
            }
            boolean isRead = m.isRead(i);
            Admission.Refused before = isRead ? readsRefused : writesRefused;
            if (before != null) {
                refuse(before, id);
                if (isRead) {
                    readsAlso++;
                } else {
                    writesAlso++;
                }
                continue;
            }
            Runnable permit;
            try {
                permit = admission.admitItem(isRead);
            } catch (Admission.Refused overloaded) {
                refuse(overloaded, id);
                if (isRead) {
                    readsRefused = overloaded;
                } else {
                    writesRefused = overloaded;
                }
                continue;
            }
            admitted(id, m, i, permit);
        }
        if (readsAlso > 0) {
            admission.refusedAlso(true, readsAlso);
        }
        if (writesAlso > 0) {
            admission.refusedAlso(false, writesAlso);
        }
    }

    /** An item past the door: parsed now, checked as its unary call would be, then run. */
    private void admitted(long id, BatchParsing.Parsed m, int i, Runnable permit) {
        BatchItem item;
        try {
            item = m.item(i);
        } catch (StatusRuntimeException invalid) {
            permit.run();
            fail(id, invalid);
            return;
        }
        StatusRuntimeException refusedAccess = checkAccess(item);
        if (refusedAccess != null) {
            permit.run();
            fail(id, refusedAccess);
            return;
        }
        // The same refusal the unary calls get from QuotaInterceptor, item by item.
        if (quota.exceeded() && (item.hasCreate() || item.hasSet()
                || (item.hasMulti() && QuotaInterceptor.addsData(item.getMulti())))) {
            permit.run();
            fail(id, QuotaInterceptor.refusal(quota));
            return;
        }
        long t = Deadlines.itemMillis(m.timeoutMillis(i), defaultDeadline);
        switch (item.getOpCase()) {
            case CREATE -> answer(id, () -> kv.create(item.getCreate(), t), BatchResult.Builder::setCreate, permit);
            case SET -> answer(id, () -> kv.set(item.getSet(), t), BatchResult.Builder::setSet, permit);
            case DELETE -> answer(id, () -> kv.delete(item.getDelete(), t), BatchResult.Builder::setDelete, permit);
            case MULTI -> answer(id, () -> kv.multi(item.getMulti(), t), BatchResult.Builder::setMulti, permit);
            case GET -> answer(id, () -> kv.get(item.getGet(), t), BatchResult.Builder::setGet, permit);
            case EXISTS -> answer(id, () -> kv.exists(item.getExists(), t), BatchResult.Builder::setExists, permit);
            case OP_NOT_SET -> throw new IllegalStateException("unreachable: the scan found an op in item " + id);
        }
    }

    /** Adds the item to this message's group for {@code refusal}; see {@link #accept}. */
    private void refuse(Admission.Refused refusal, long id) {
        RefusedIds group = null;
        for (int g = refusing.size() - 1; g >= 0; g--) {
            if (refusing.get(g).refusal == refusal) {
                group = refusing.get(g);
                break;
            }
        }
        if (group == null || group.n == MAX_REFUSAL_IDS) {
            group = new RefusedIds(refusal);
            refusing.add(group);
        }
        group.add(id);
    }

    /** Answers the item with {@code error} now (on the reading thread, inside the message's burst). */
    private void fail(long id, StatusRuntimeException error) {
        results.add(BatchResult.newBuilder().setId(id).setError(error instanceof Admission.Refused o ? o.batchError()
                : toBatchError(errors.toStatus(error))).build());
        if (!MessageBurst.defer(this)) {
            flush();
        }
    }

    /** Ids of items refused alike, in the order they came. */
    static final class RefusedIds {
        final Admission.Refused refusal;
        private long[] ids = new long[16];
        private int n;

        RefusedIds(Admission.Refused refusal) {
            this.refusal = refusal;
        }

        void add(long id) {
            if (n == ids.length) {
                ids = Arrays.copyOf(ids, Math.min(MAX_REFUSAL_IDS, 2 * n));
            }
            ids[n++] = id;
        }

        int size() {
            return n;
        }

        /** Bytes it adds to a response, at most: ten per id (a varint), the error once. */
        int maxBytes(boolean packed) {
            int error = refusal.batchError().getSerializedSize() + 4;
            return packed ? 10 * n + error + 8 : n * (error + 14);
        }

        /** Into {@code message}: one BatchRefusal, or a BatchResult per id for a client that did not ask for those. */
        void addTo(BatchResponse.Builder message, boolean packed) {
            if (packed) {
                BatchRefusal.Builder b = BatchRefusal.newBuilder().setError(refusal.batchError());
                for (int i = 0; i < n; i++) {
                    b.addIds(ids[i]);
                }
                message.addRefusals(b);
            } else {
                for (int i = 0; i < n; i++) {
                    message.addResults(BatchResult.newBuilder().setId(ids[i]).setError(refusal.batchError()));
                }
            }
        }
    }

    /** The item's unary request through {@link #access}; null when allowed or it carries none. */
    private StatusRuntimeException checkAccess(BatchItem item) {
        Object request = switch (item.getOpCase()) {
            case CREATE -> item.getCreate();
            case SET -> item.getSet();
            case DELETE -> item.getDelete();
            case MULTI -> item.getMulti();
            case GET -> item.getGet();
            case EXISTS -> item.getExists();
            case OP_NOT_SET -> null;
        };
        return request == null ? null
                : access.refusal(KVGrpc.getBatchMethod().getFullMethodName() + " " + item.getOpCase(), request);
    }

    /**
     * Runs one item's call (which may throw) and queues its result when it completes, running
     * {@code done} (the item's admission permit) once the item has its result.
     */
    private <T> void answer(long id, Supplier<CompletableFuture<T>> work, BiConsumer<BatchResult.Builder, T> put,
                            Runnable done) {
        CompletableFuture<T> f;
        try {
            f = work.get();
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        f.whenComplete((value, error) -> {
            done.run();
            BatchResult.Builder r = BatchResult.newBuilder().setId(id);
            if (error == null) {
                put.accept(r, value);
            } else {
                r.setError(error instanceof Admission.Refused o ? o.batchError() : toBatchError(errors.toStatus(error)));
            }
            results.add(r.build());
            if (!MessageBurst.defer(this)) {
                flush();
            }
        });
    }

    private static Admission.Refused streamFull() {
        StatusRuntimeException e = Errors.status(Status.Code.RESOURCE_EXHAUSTED, ErrorReason.ERROR_REASON_UNSPECIFIED,
                "batch item refused: " + MAX_IN_FLIGHT + " items of this stream are already waiting for their results");
        return new Admission.Refused(e.getStatus(), e.getTrailers(), toBatchError(e));
    }

    /** The status as a BatchError: what a unary call's status, message and details trailer carry. */
    static BatchError toBatchError(StatusRuntimeException e) {
        Status s = e.getStatus();
        com.google.rpc.Status rich = StatusProto.fromThrowable(e);
        return BatchError.newBuilder().setCode(s.getCode().value())
                .setMessage(s.getDescription() == null ? "" : s.getDescription())
                .setDetails(rich == null ? ByteString.EMPTY : rich.toByteString()).build();
    }

    /** Sends what is queued (one message per burst), asks for more, ends the stream; see the invariant. */
    @Override
    protected void drain() {
        if (closed || cancelled) {
            int dropped = 0;
            while (results.poll() != null) {
                dropped++;
            }
            for (RefusedIds g = refused.poll(); g != null; g = refused.poll()) {
                dropped += g.size();
            }
            unanswered.addAndGet(-dropped);
            return;
        }
        StatusRuntimeException fail = failure;
        if (fail != null) {
            closed = true;
            call.close(fail.getStatus(), fail.getTrailers() != null ? fail.getTrailers() : new Metadata());
            return;
        }
        while ((!results.isEmpty() || !refused.isEmpty()) && call.isReady()) {
            BatchResponse.Builder message = BatchResponse.newBuilder();
            int bytes = 0;
            int n = 0;
            boolean full = false;
            for (BatchResult r = results.peek(); r != null; r = results.peek()) {
                int size = r.getSerializedSize();
                if (n > 0 && bytes + size > MAX_RESPONSE_BYTES) {
                    full = true;
                    break;
                }
                results.poll();
                message.addResults(r);
                bytes += size;
                n++;
            }
            for (RefusedIds g = full ? null : refused.peek(); g != null; g = refused.peek()) {
                int size = g.maxBytes(packedRefusals);
                if (n > 0 && bytes + size > MAX_RESPONSE_BYTES) {
                    break;
                }
                refused.poll();
                g.addTo(message, packedRefusals);
                bytes += size;
                n += g.size();
            }
            call.sendMessage(message.build());
            unanswered.addAndGet(-n);
        }
        if (wantMessage && call.isReady()) {
            wantMessage = false;
            call.request(1);
        }
        if (halfClosed && unanswered.get() == 0) {
            closed = true;
            call.close(Status.OK, new Metadata());
        }
    }
}
