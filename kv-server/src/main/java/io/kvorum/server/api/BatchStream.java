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
import io.kvorum.proto.batch.MessageBurst;
import io.kvorum.proto.v1.BatchError;
import io.kvorum.proto.v1.BatchItem;
import io.kvorum.proto.v1.BatchResponse;
import io.kvorum.proto.v1.BatchResult;
import io.kvorum.proto.v1.ErrorReason;
import io.kvorum.proto.v1.KVGrpc;
import java.time.Duration;
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
 * items of one inbound message form a burst, and so does each burst of the node's apply thread
 * (a batch of proposals applied, the reads one barrier released) through {@link MessageBurst}.
 * A result completing outside any burst (a timeout, a retried barrier) is sent at once.
 *
 * <p>Flow control, bounded memory: at most {@link #MAX_IN_FLIGHT} items wait for their result
 * to be sent; an item beyond that is answered RESOURCE_EXHAUSTED at once. Results are held while
 * gRPC says the stream is not ready, and the next inbound message is only asked for while it is
 * ready, so a client that stops reading stops being read.
 *
 * <p>Access: every item goes through {@link ItemCheck} before anything else, as the request of
 * its unary call would, and a refused item is answered with the unary call's error (the stream
 * stays open for the others).
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
                        SpaceQuota quota, Admission admission, ItemCheck access) {
        this.call = call;
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
                new BatchStream(call, kv, errors, defaultDeadline, quota, admission, access).start();
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
                    MessageBurst.run(() -> message.entries().forEach(BatchStream.this::accept));
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

    private void accept(BatchParsing.Entry e) {
        long id = e.id();
        if (unanswered.incrementAndGet() > MAX_IN_FLIGHT) {
            answer(id, () -> CompletableFuture.failedFuture(STREAM_FULL), null);
            return;
        }
        if (e.error() != null) {
            answer(id, () -> CompletableFuture.failedFuture(e.error()), null);
            return;
        }
        BatchItem item = e.item();
        StatusRuntimeException refused = checkAccess(item);
        if (refused != null) {
            answer(id, () -> CompletableFuture.failedFuture(refused), null);
            return;
        }
        long t = Deadlines.itemMillis(item.getTimeoutMillis(), defaultDeadline);
        // The same refusal the unary calls get from QuotaInterceptor, item by item.
        if (quota.exceeded() && (item.hasCreate() || item.hasSet()
                || (item.hasMulti() && QuotaInterceptor.addsData(item.getMulti())))) {
            answer(id, () -> CompletableFuture.failedFuture(QuotaInterceptor.refusal(quota)), null);
            return;
        }
        if (item.getOpCase() == BatchItem.OpCase.OP_NOT_SET) {
            answer(id, () -> CompletableFuture.failedFuture(Errors.of(ErrorReason.INVALID_DATA,
                    "batch item " + id + " is not valid: it carries no operation")), null);
            return;
        }
        // The same door as the unary call of the item's kind: in-flight limits and apply lag.
        Runnable permit;
        try {
            permit = admission.admit(item.hasGet() || item.hasExists());
        } catch (StatusRuntimeException overloaded) {
            answer(id, () -> CompletableFuture.failedFuture(overloaded), null);
            return;
        }
        switch (item.getOpCase()) {
            case CREATE -> answer(id, () -> kv.create(item.getCreate(), t), BatchResult.Builder::setCreate, permit);
            case SET -> answer(id, () -> kv.set(item.getSet(), t), BatchResult.Builder::setSet, permit);
            case DELETE -> answer(id, () -> kv.delete(item.getDelete(), t), BatchResult.Builder::setDelete, permit);
            case MULTI -> answer(id, () -> kv.multi(item.getMulti(), t), BatchResult.Builder::setMulti, permit);
            case GET -> answer(id, () -> kv.get(item.getGet(), t), BatchResult.Builder::setGet, permit);
            case EXISTS -> answer(id, () -> kv.exists(item.getExists(), t), BatchResult.Builder::setExists, permit);
            default -> throw new IllegalStateException("unreachable: " + item.getOpCase());
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

    /** Runs one item's call (which may throw) and queues its result when it completes. */
    private <T> void answer(long id, Supplier<CompletableFuture<T>> work, BiConsumer<BatchResult.Builder, T> put) {
        answer(id, work, put, () -> { });
    }

    /** As above, running {@code done} (the item's admission permit) once the item has its result. */
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
            unanswered.addAndGet(-dropped);
            return;
        }
        StatusRuntimeException fail = failure;
        if (fail != null) {
            closed = true;
            call.close(fail.getStatus(), fail.getTrailers() != null ? fail.getTrailers() : new Metadata());
            return;
        }
        while (!results.isEmpty() && call.isReady()) {
            BatchResponse.Builder message = BatchResponse.newBuilder();
            int bytes = 0;
            int n = 0;
            for (BatchResult r = results.peek(); r != null; r = results.peek()) {
                int size = r.getSerializedSize();
                if (n > 0 && bytes + size > MAX_RESPONSE_BYTES) {
                    break;
                }
                results.poll();
                message.addResults(r);
                bytes += size;
                n++;
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
