package io.kvorum.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.kvorum.proto.health.v1.HealthCheckRequest;
import io.kvorum.proto.health.v1.HealthCheckResponse;
import io.kvorum.proto.health.v1.HealthGrpc;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * A call's x-request-id reaches the logging MDC of the thread running its handler, with the
 * node id and term, and nothing of it stays behind for the next call on that thread.
 */
class RequestLogContextTest {
    @Test
    void requestIdNodeAndTermAreInTheMdcWhileTheHandlerRuns() throws Exception {
        List<Map<String, String>> seen = new CopyOnWriteArrayList<>();
        HealthGrpc.HealthImplBase recorder = new HealthGrpc.HealthImplBase() {
            @Override
            public void check(HealthCheckRequest request, StreamObserver<HealthCheckResponse> responses) {
                Map<String, String> mdc = new HashMap<>();
                for (String key : List.of("requestId", "node", "term")) {
                    mdc.put(key, MDC.get(key));
                }
                seen.add(mdc);
                responses.onNext(HealthCheckResponse.getDefaultInstance());
                responses.onCompleted();
            }
        };
        // One handler thread, so the second call runs where the first one did.
        ExecutorService one = Executors.newSingleThreadExecutor();
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).executor(one)
                .addService(ServerInterceptors.intercept(recorder, new RequestLogContext(7, () -> 42)))
                .build().start();
        ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
        try {
            Metadata md = new Metadata();
            md.put(RequestLogContext.KEY, "req-1234");
            HealthGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md))
                    .withDeadlineAfter(5, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance());
            HealthGrpc.newBlockingStub(ch).withDeadlineAfter(5, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.getDefaultInstance());
        } finally {
            ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            one.shutdownNow();
        }
        assertEquals(Map.of("requestId", "req-1234", "node", "7", "term", "42"), seen.get(0));
        Map<String, String> none = new HashMap<>();
        none.put("requestId", null);
        none.put("node", null);
        none.put("term", null);
        assertEquals(none, seen.get(1), "the first call's MDC must not leak into the next");
    }
}
