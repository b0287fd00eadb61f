package io.kvorum.server.api;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.ErrorInfo;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The door alone, in front of stand-in KV methods that answer at once. */
class AdmissionTest {
    private static final MethodDescriptor<byte[], byte[]> SET = method("kvorum.v1.KV/Set");
    private static final MethodDescriptor<byte[], byte[]> GET = method("kvorum.v1.KV/Get");
    private static final MethodDescriptor<byte[], byte[]> STATUS = method("kvorum.v1.Cluster/Status");
    private static final MethodDescriptor<byte[], byte[]> WATCH = method("kvorum.v1.Watch/Watch").toBuilder()
            .setType(MethodDescriptor.MethodType.BIDI_STREAMING).build();

    private final AtomicLong gap = new AtomicLong();
    /** Watch streams the stand-in service has started and not yet seen end. */
    private final AtomicInteger openWatches = new AtomicInteger();
    private Admission door;
    private Server server;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws IOException {
        door = new Admission(new AdmissionLimits(10, 10, Duration.ofMillis(25), 10, 10, 100), gap::get);
        ServerServiceDefinition kv = ServerServiceDefinition.builder("kvorum.v1.KV")
                .addMethod(SET, ServerCalls.asyncUnaryCall((req, out) -> {
                    out.onNext(req);
                    out.onCompleted();
                }))
                .addMethod(GET, ServerCalls.asyncUnaryCall((req, out) -> {
                    out.onNext(req);
                    out.onCompleted();
                })).build();
        ServerServiceDefinition cluster = ServerServiceDefinition.builder("kvorum.v1.Cluster")
                .addMethod(STATUS, ServerCalls.asyncUnaryCall((req, out) -> {
                    out.onNext(req);
                    out.onCompleted();
                })).build();
        ServerServiceDefinition watch = ServerServiceDefinition.builder("kvorum.v1.Watch")
                .addMethod(WATCH, ServerCalls.asyncBidiStreamingCall((StreamObserver<byte[]> out) -> {
                    openWatches.incrementAndGet();
                    return new StreamObserver<byte[]>() {
                        @Override
                        public void onNext(byte[] value) {
                        }

                        @Override
                        public void onError(Throwable t) {
                            openWatches.decrementAndGet();
                        }

                        @Override
                        public void onCompleted() {
                            openWatches.decrementAndGet();
                            out.onCompleted();
                        }
                    };
                })).build();
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(kv)
                .addService(cluster).addService(watch).intercept(door).build().start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow();
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void readsAndWritesAreRefusedWhileApplyTrailsCommitByMoreThanTheLimitAndAdministrationIsNot() {
        assertEquals(1, call(SET).length);
        gap.set(101);
        for (MethodDescriptor<byte[], byte[]> m : new MethodDescriptor[]{SET, GET}) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> call(m));
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
            assertTrue(e.getStatus().getDescription().contains("more than 100 committed entries not applied yet"),
                    e.getStatus().getDescription());
            assertEquals("25", e.getTrailers().get(Admission.RETRY_AFTER_MS));
        }
        assertEquals(1, call(STATUS).length, "cluster administration is never shed");
        gap.set(100);
        assertEquals(1, call(GET).length);
        assertEquals(1, door.refusedReads());
        assertEquals(1, door.refusedWrites());
        assertEquals(0, door.inFlightReads() + door.inFlightWrites());
    }

    @Test
    void aRefusalForAFullDoorIsCheapAndSaysTheSameOverAUnaryCallAndInABatch() throws Exception {
        for (int i = 0; i < 10; i++) {
            door.admit(false);
        }
        StatusRuntimeException first = assertThrows(StatusRuntimeException.class, () -> door.admit(false));
        StatusRuntimeException second = assertThrows(StatusRuntimeException.class, () -> door.admit(false));
        assertEquals(2, door.refusedWrites());
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, first.getStatus().getCode());
        assertTrue(first.getStatus().getDescription().contains("serving 10 writes already"),
                first.getStatus().getDescription());
        assertEquals(0, first.getStackTrace().length, "a refusal walks no stack");
        // Each refusal has trailers of its own: closing a call adds its status to them.
        assertNotSame(first.getTrailers(), second.getTrailers());
        assertEquals("25", first.getTrailers().get(Admission.RETRY_AFTER_MS));
        com.google.rpc.Status details = StatusProto.fromThrowable(first);
        ErrorInfo info = details.getDetails(0).unpack(ErrorInfo.class);
        assertEquals("OVERLOADED", info.getReason());
        assertEquals("25", info.getMetadataMap().get("retry_after_ms"));
        // A Batch item refused at the door gets the answer built once, the same a unary call's
        // status and details make.
        assertEquals(BatchStream.toBatchError(first), ((Admission.Refused) first).batchError());
        // A Batch item's refusal needs no trailers of its own: the one instance, every time,
        // with the same answer; items refused with the rest of their message count too.
        Admission.Refused item = assertThrows(Admission.Refused.class, () -> door.admitItem(false));
        assertSame(item, assertThrows(Admission.Refused.class, () -> door.admitItem(false)));
        assertEquals(((Admission.Refused) first).batchError(), item.batchError());
        assertEquals(0, item.getStackTrace().length, "a refusal walks no stack");
        door.refusedAlso(false, 5);
        assertEquals(9, door.refusedWrites());
        assertEquals(0, door.refusedReads());
    }

    /**
     * A connection's streams start on different threads; when it opens many at once the door
     * admits exactly its limit of them, not fewer. Several rounds, since the starts race.
     */
    @Test
    void aConnectionOpeningManyStreamsAtOnceGetsExactlyItsLimit() {
        for (int round = 0; round < 10; round++) {
            List<ClientCall<byte[], byte[]>> calls = new ArrayList<>();
            AtomicInteger refused = new AtomicInteger();
            AtomicInteger otherEnds = new AtomicInteger();
            for (int i = 0; i < 40; i++) {
                ClientCall<byte[], byte[]> c = channel.newCall(WATCH, CallOptions.DEFAULT);
                c.start(new ClientCall.Listener<>() {
                    @Override
                    public void onClose(Status status, Metadata trailers) {
                        (status.getCode() == Status.Code.RESOURCE_EXHAUSTED ? refused : otherEnds).incrementAndGet();
                    }
                }, new Metadata());
                calls.add(c);
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> openWatches.get() + refused.get() == 40);
            assertEquals(10, openWatches.get(), "streams admitted in round " + round);
            assertEquals(30, refused.get(), "streams refused in round " + round);
            calls.forEach(ClientCall::halfClose);
            await().atMost(Duration.ofSeconds(20)).until(() -> door.openStreams() == 0 && openWatches.get() == 0
                    && otherEnds.get() == 10);
        }
    }

    private byte[] call(MethodDescriptor<byte[], byte[]> m) {
        return ClientCalls.blockingUnaryCall(channel, m, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                new byte[]{7});
    }

    private static MethodDescriptor<byte[], byte[]> method(String name) {
        return MethodDescriptor.<byte[], byte[]>newBuilder().setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(name).setRequestMarshaller(RawBytes.BYTES).setResponseMarshaller(RawBytes.BYTES).build();
    }
}
