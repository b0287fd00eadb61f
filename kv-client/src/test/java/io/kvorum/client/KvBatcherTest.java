package io.kvorum.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.rpc.ErrorInfo;
import io.grpc.CallOptions;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.kvorum.proto.batch.BatchRefusals;
import io.kvorum.proto.batch.MessageBurst;
import io.kvorum.proto.v1.BatchError;
import io.kvorum.proto.v1.BatchRefusal;
import io.kvorum.proto.v1.BatchResult;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.kvorum.proto.v1.BatchItem;
import io.kvorum.proto.v1.BatchRequest;
import io.kvorum.proto.v1.BatchResponse;
import io.kvorum.proto.v1.Consistency;
import io.kvorum.proto.v1.CreateRequest;
import io.kvorum.proto.v1.CreateResponse;
import io.kvorum.proto.v1.GetRequest;
import io.kvorum.proto.v1.GetResponse;
import io.kvorum.proto.v1.KVGrpc;
import io.kvorum.server.testing.InJvmCluster;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The batcher under Rpc.unary: deadlines, a stream that breaks, reopening, and the unary fallback. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KvBatcherTest {
    @TempDir
    Path dir;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final List<AutoCloseable> toClose = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        timer.shutdownNow();
    }

    /** A server whose Batch stream records items and never answers. */
    private final class SilentServer {
        final List<BatchItem> received = new CopyOnWriteArrayList<>();
        final Server server;

        SilentServer() throws Exception {
            server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                    .addService(new KVGrpc.KVImplBase() {
                        @Override
                        public StreamObserver<BatchRequest> batch(StreamObserver<BatchResponse> out) {
                            return new StreamObserver<>() {
                                @Override
                                public void onNext(BatchRequest value) {
                                    received.addAll(value.getItemsList());
                                }

                                @Override
                                public void onError(Throwable t) {
                                }

                                @Override
                                public void onCompleted() {
                                }
                            };
                        }
                    }).build().start();
            toClose.add(() -> server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
        }
    }

    private BatchingChannel channel(String address) {
        BatchingChannel c = new BatchingChannel(KvorumClientBuilder.plaintextChannel(address), timer);
        toClose.add(() -> c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
        return c;
    }

    private static Status.Code failure(CompletableFuture<?> f) {
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> f.get(30, TimeUnit.SECONDS));
        return Status.fromThrowable(e.getCause()).getCode();
    }

    /** A Get on {@code c} with {@code deadlineMillis} to go. */
    private static CompletableFuture<GetResponse> get(BatchingChannel c, String path, long deadlineMillis) {
        return Rpc.unary(c, KVGrpc.getGetMethod(), CallOptions.DEFAULT.withDeadlineAfter(deadlineMillis,
                TimeUnit.MILLISECONDS), GetRequest.newBuilder().setPath(path).build());
    }

    @Test
    void anUnansweredItemFailsWithDeadlineExceededAndCarriesWhatIsLeftOfItsDeadline() throws Exception {
        SilentServer s = new SilentServer();
        BatchingChannel c = channel("127.0.0.1:" + s.server.getPort());
        CompletableFuture<GetResponse> f = get(c, "/x", 300);
        assertEquals(Status.Code.DEADLINE_EXCEEDED, failure(f));
        assertEquals(1, s.received.size(), "it went over the Batch stream");
        long timeout = s.received.get(0).getTimeoutMillis();
        assertTrue(timeout > 0 && timeout <= 300, "timeout_millis " + timeout);
    }

    /**
     * The sweep is armed for the earliest deadline waiting: an item with a short deadline sent
     * after one with a long deadline moves it earlier, rather than waiting out the long one.
     */
    @Test
    void aShortDeadlineAfterALongOneStillFailsOnTime() throws Exception {
        SilentServer s = new SilentServer();
        BatchingChannel c = channel("127.0.0.1:" + s.server.getPort());
        CompletableFuture<GetResponse> patient = get(c, "/a", TimeUnit.MINUTES.toMillis(10));
        CompletableFuture<GetResponse> hurried = get(c, "/b", 300);
        assertEquals(Status.Code.DEADLINE_EXCEEDED, failure(hurried));
        assertFalse(patient.isDone(), "the call with ten minutes left failed with the other");
    }

    /** After a sweep fails the items due, it is armed again for the next deadline waiting. */
    @Test
    void itemsFailAtTheirOwnDeadlinesOneAfterAnother() throws Exception {
        SilentServer s = new SilentServer();
        BatchingChannel c = channel("127.0.0.1:" + s.server.getPort());
        CompletableFuture<GetResponse> first = get(c, "/a", 200);
        CompletableFuture<GetResponse> second = get(c, "/b", 3_000);
        assertEquals(Status.Code.DEADLINE_EXCEEDED, failure(first));
        assertFalse(second.isDone(), "the call with seconds left failed with the first");
        assertEquals(Status.Code.DEADLINE_EXCEEDED, failure(second));
    }

    /**
     * On a channel that is shut down a stream ends inside its own start (its callbacks run on
     * the calling thread): the call fails UNAVAILABLE instead of opening stream after stream.
     */
    @Test
    void aCallOnAShutDownChannelFailsUnavailableInsteadOfOpeningStreamAfterStream() {
        io.grpc.ManagedChannel closed = KvorumClientBuilder.plaintextChannel("127.0.0.1:1");
        closed.shutdownNow();
        toClose.add(closed::shutdownNow);
        CompletableFuture<GetResponse> f = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                Duration.ofSeconds(10), () -> new KvBatcher(closed, timer).submit(KVGrpc.getGetMethod(),
                        CallOptions.DEFAULT, GetRequest.newBuilder().setPath("/x").build()));
        assertEquals(Status.Code.UNAVAILABLE, failure(f));
    }

    @Test
    void aStreamThatBreaksFailsItsItemsUnavailableAndTheNextCallOpensANewOne() throws Exception {
        InJvmCluster cluster = new InJvmCluster(dir, 1, "batcher-test");
        toClose.add(cluster);
        cluster.startAll();
        cluster.awaitLeader();
        BatchingChannel c = channel(cluster.clientAddress(1));
        CreateResponse made = Rpc.unary(c, KVGrpc.getCreateMethod(), CallOptions.DEFAULT.withDeadlineAfter(10,
                TimeUnit.SECONDS), CreateRequest.newBuilder().setPath("/n").build()).get(10, TimeUnit.SECONDS);
        assertEquals("/n", made.getPath());
        // A read waiting for a revision that will not come in time: in flight when the node stops.
        CompletableFuture<GetResponse> waiting = Rpc.unary(c, KVGrpc.getGetMethod(),
                CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), GetRequest.newBuilder().setPath("/n")
                        .setConsistency(Consistency.SERIALIZABLE).setMinRevision(1L << 40).build());
        cluster.stop(1);
        assertEquals(Status.Code.UNAVAILABLE, failure(waiting));
        cluster.start(1);
        cluster.awaitLeader();
        GetResponse after = await().atMost(Duration.ofSeconds(30)).until(() -> {
            try {
                return Rpc.unary(c, KVGrpc.getGetMethod(), CallOptions.DEFAULT.withDeadlineAfter(2, TimeUnit.SECONDS),
                        GetRequest.newBuilder().setPath("/n").build()).get(5, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                return null; // the channel reconnects after its backoff
            }
        }, r -> r != null);
        assertEquals(made.getStat().getCreateRevision(), after.getStat().getCreateRevision());
    }

    /**
     * Refusals packed as ids with one shared error (BatchResponse.refusals, asked for with a
     * header) fail each refused call exactly as a refused unary call would: RESOURCE_EXHAUSTED
     * with the status details that carry the retry hint; the other items of the same answer
     * complete as usual.
     */
    @Test
    void packedRefusalsFailEachRefusedCallAsItsUnaryCallWouldWithTheRetryHint() throws Exception {
        com.google.rpc.Status details = com.google.rpc.Status.newBuilder()
                .setCode(Status.Code.RESOURCE_EXHAUSTED.value()).setMessage("overloaded; retry after 50 ms")
                .addDetails(Any.pack(ErrorInfo.newBuilder().setReason("OVERLOADED")
                        .putMetadata("retry_after_ms", "50").build())).build();
        BatchError overloaded = BatchError.newBuilder().setCode(Status.Code.RESOURCE_EXHAUSTED.value())
                .setMessage(details.getMessage()).setDetails(details.toByteString()).build();
        List<String> asked = new CopyOnWriteArrayList<>();
        ServerServiceDefinition refusing = ServerInterceptors.intercept(new KVGrpc.KVImplBase() {
            @Override
            public StreamObserver<BatchRequest> batch(StreamObserver<BatchResponse> out) {
                return new StreamObserver<>() {
                    @Override
                    public void onNext(BatchRequest value) {
                        // Reads of /ok are answered, the rest refused, however the calls were split into messages.
                        BatchResponse.Builder r = BatchResponse.newBuilder();
                        BatchRefusal.Builder refused = BatchRefusal.newBuilder().setError(overloaded);
                        for (BatchItem item : value.getItemsList()) {
                            if (item.getGet().getPath().startsWith("/ok")) {
                                r.addResults(BatchResult.newBuilder().setId(item.getId())
                                        .setGet(GetResponse.newBuilder().setData(ByteString.copyFromUtf8("ok"))));
                            } else {
                                refused.addIds(item.getId());
                            }
                        }
                        if (refused.getIdsCount() > 0) {
                            r.addRefusals(refused);
                        }
                        out.onNext(r.build());
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                        out.onCompleted();
                    }
                };
            }
        }, new ServerInterceptor() {
            @Override
            public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                                                                 ServerCallHandler<Q, A> next) {
                asked.add(String.valueOf(headers.get(BatchRefusals.HEADER)));
                return next.startCall(call, headers);
            }
        });
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(refusing)
                .build().start();
        toClose.add(() -> server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
        BatchingChannel c = channel("127.0.0.1:" + server.getPort());
        // Issued inside one burst, so that they leave together (one message, or a few when
        // the stream's ready signal sends some first).
        List<CompletableFuture<GetResponse>> calls = new ArrayList<>();
        MessageBurst.run(() -> {
            for (int i = 0; i < 5; i++) {
                calls.add(Rpc.unary(c, KVGrpc.getGetMethod(), CallOptions.DEFAULT.withDeadlineAfter(10,
                        TimeUnit.SECONDS), GetRequest.newBuilder().setPath(i == 0 ? "/ok" : "/g" + i).build()));
            }
        });
        assertEquals("ok", calls.get(0).get(10, TimeUnit.SECONDS).getData().toStringUtf8());
        for (int i = 1; i < 5; i++) {
            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    calls.get(i)::get);
            StatusRuntimeException refused = (StatusRuntimeException) e.getCause();
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.getStatus().getCode());
            assertEquals(details.getMessage(), refused.getStatus().getDescription());
            assertEquals(details, StatusProto.fromThrowable(refused), "the details trailer a unary call carries");
        }
        assertEquals(List.of("packed"), asked, "the stream asked for packed refusals");
        // The refused items were answered: the stream goes on taking calls.
        assertEquals("ok", Rpc.unary(c, KVGrpc.getGetMethod(), CallOptions.DEFAULT.withDeadlineAfter(10,
                TimeUnit.SECONDS), GetRequest.newBuilder().setPath("/ok/after").build()).get(10, TimeUnit.SECONDS)
                .getData().toStringUtf8());
    }

    @Test
    void aServerWithoutBatchGetsUnaryCalls() throws Exception {
        Server plain = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new KVGrpc.KVImplBase() {
                    @Override
                    public void get(GetRequest request, StreamObserver<GetResponse> out) {
                        out.onNext(GetResponse.newBuilder().setData(com.google.protobuf.ByteString
                                .copyFromUtf8("unary " + request.getPath())).build());
                        out.onCompleted();
                    }
                }).build().start();
        toClose.add(() -> plain.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
        BatchingChannel c = channel("127.0.0.1:" + plain.getPort());
        for (int i = 0; i < 3; i++) {
            GetResponse r = Rpc.unary(c, KVGrpc.getGetMethod(), CallOptions.DEFAULT.withDeadlineAfter(10,
                    TimeUnit.SECONDS), GetRequest.newBuilder().setPath("/p" + i).build()).get(10, TimeUnit.SECONDS);
            assertEquals("unary /p" + i, r.getData().toStringUtf8());
        }
    }
}
