package io.kvorum.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.kvorum.proto.v1.CreateRequest;
import io.kvorum.proto.v1.CreateResponse;
import io.kvorum.proto.v1.KVGrpc;
import io.kvorum.proto.v1.MultiRequest;
import io.kvorum.proto.v1.MultiResponse;
import io.kvorum.proto.v1.Op;
import io.kvorum.proto.v1.SetRequest;
import io.kvorum.proto.v1.WatchCreate;
import io.kvorum.proto.v1.WatchGrpc;
import io.kvorum.proto.v1.WatchRequest;
import io.kvorum.proto.v1.WatchResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Requests as raw bytes on the wire: proto3 refuses a string field that is not UTF-8 before
 * any service code runs; the wrapped services answer INVALID_ARGUMENT naming the field, and
 * the server keeps serving.
 */
class RequestParsingTest {
    private static final byte[] BAD_UTF8 = RawBytes.BAD_UTF8;

    private Server server;
    private ManagedChannel channel;

    /** Echoes create paths and watch ids; reaching it means the request parsed. */
    static final class EchoKv extends KVGrpc.KVImplBase {
        @Override
        public void create(CreateRequest r, StreamObserver<CreateResponse> out) {
            out.onNext(CreateResponse.newBuilder().setPath(r.getPath()).build());
            out.onCompleted();
        }

        @Override
        public void multi(MultiRequest r, StreamObserver<MultiResponse> out) {
            out.onNext(MultiResponse.getDefaultInstance());
            out.onCompleted();
        }
    }

    static final class EchoWatch extends WatchGrpc.WatchImplBase {
        @Override
        public StreamObserver<WatchRequest> watch(StreamObserver<WatchResponse> out) {
            return new StreamObserver<>() {
                @Override
                public void onNext(WatchRequest r) {
                    out.onNext(WatchResponse.newBuilder().setWatchId(r.getCreate().getWatchId()).setCreated(true).build());
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
    }

    @BeforeEach
    void start() throws IOException {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(RequestParsing.wrap(new EchoKv().bindService()))
                .addService(RequestParsing.wrap(new EchoWatch().bindService()))
                .build().start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private <Q, R> R raw(MethodDescriptor<Q, R> method, byte[] bytes) {
        return RawBytes.unary(channel, method, bytes);
    }

    private static byte[] lengthDelimited(int field, byte[] value) {
        return RawBytes.lengthDelimited(field, value);
    }

    @Test
    void invalidUtf8PathIsInvalidArgumentNamingTheField() throws IOException {
        byte[] request = lengthDelimited(CreateRequest.PATH_FIELD_NUMBER, BAD_UTF8);
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> raw(KVGrpc.getCreateMethod(), request));
        assertEquals(Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertEquals("request is not valid: path is not valid UTF-8", e.getStatus().getDescription());
        assertEquals("INVALID_DATA", ErrorDetails.reason(e));
        assertEquals("path", ErrorDetails.info(e).getMetadataOrThrow("field"));
        // and the server goes on serving
        assertEquals("/ok", raw(KVGrpc.getCreateMethod(), CreateRequest.newBuilder().setPath("/ok").build()
                .toByteArray()).getPath());
    }

    @Test
    void nestedFieldIsNamedWithItsIndex() throws IOException {
        byte[] badSet = lengthDelimited(SetRequest.PATH_FIELD_NUMBER, BAD_UTF8);
        byte[] op0 = Op.newBuilder().setCreate(CreateRequest.newBuilder().setPath("/fine")).build().toByteArray();
        byte[] op1 = lengthDelimited(Op.SET_FIELD_NUMBER, badSet);
        ByteArrayOutputStream multi = new ByteArrayOutputStream();
        multi.write(lengthDelimited(MultiRequest.OPS_FIELD_NUMBER, op0));
        multi.write(lengthDelimited(MultiRequest.OPS_FIELD_NUMBER, op1));
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> raw(KVGrpc.getMultiMethod(), multi.toByteArray()));
        assertEquals(Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertEquals("request is not valid: ops[1].set.path is not valid UTF-8", e.getStatus().getDescription());
    }

    @Test
    void malformedBytesAreInvalidArgument() {
        byte[] garbage = {(byte) 0x12, (byte) 0xFF, (byte) 0xFF, 0x01};
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> raw(KVGrpc.getCreateMethod(), garbage));
        assertEquals(Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().startsWith("request is not valid: CreateRequest is malformed"),
                e.getStatus().getDescription());
    }

    @Test
    void validBytesReachTheService() {
        byte[] utf8 = CreateRequest.newBuilder().setPath("/ünï").setData(ByteString.copyFromUtf8("x")).build()
                .toByteArray();
        assertEquals("/ünï", raw(KVGrpc.getCreateMethod(), utf8).getPath());
    }

    @Test
    void invalidUtf8OnAStreamEndsTheStreamWithInvalidArgument() throws IOException {
        byte[] badCreate = lengthDelimited(WatchCreate.PATH_FIELD_NUMBER, BAD_UTF8);
        byte[] request = lengthDelimited(WatchRequest.CREATE_FIELD_NUMBER, badCreate);
        MethodDescriptor<byte[], WatchResponse> m = RawBytes.asBytes(WatchGrpc.getWatchMethod());
        var call = channel.newCall(m, CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS));
        Iterator<WatchResponse> it = ClientCalls.blockingServerStreamingCall(call, request);
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, it::hasNext);
        assertEquals(Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertEquals("request is not valid: create.path is not valid UTF-8", e.getStatus().getDescription());
    }
}
