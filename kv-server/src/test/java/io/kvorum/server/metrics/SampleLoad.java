package io.kvorum.server.metrics;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.kvorum.proto.v1.CreateRequest;
import io.kvorum.proto.v1.GetRequest;
import io.kvorum.proto.v1.OpenSessionRequest;
import io.kvorum.proto.v1.SetRequest;
import io.kvorum.proto.v1.WatchCreate;
import io.kvorum.proto.v1.WatchRequest;
import io.kvorum.proto.v1.WatchResponse;
import io.kvorum.server.testing.InJvmCluster;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A little of everything a client does, against one node: a recursive watch on {@code /load}
 * (left open), a session (left open), twenty creates, {@code writes} sets, and one read of a
 * missing node (NOT_FOUND). Returns once the watch received an event for every set.
 */
final class SampleLoad {
    static final String SET = "kvorum.v1.KV/Set";
    static final String GET = "kvorum.v1.KV/Get";
    static final int KEYS = 20;

    private SampleLoad() {
    }

    /** Runs the load on node {@code id}; returns the open watch's request stream. */
    static StreamObserver<WatchRequest> run(InJvmCluster cluster, long id, int writes) {
        AtomicInteger events = new AtomicInteger();
        StreamObserver<WatchRequest> watch = cluster.watch(id).watch(new StreamObserver<>() {
            @Override
            public void onNext(WatchResponse r) {
                events.addAndGet(r.getEventsCount());
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
            }
        });
        watch.onNext(WatchRequest.newBuilder().setCreate(WatchCreate.newBuilder().setWatchId(1).setPath("/load")
                .setRecursive(true)).build());
        cluster.session(id).open(OpenSessionRequest.newBuilder().setTtlMillis(60_000).build());
        cluster.kv(id).create(CreateRequest.newBuilder().setPath("/load").build());
        for (int i = 0; i < KEYS; i++) {
            cluster.kv(id).create(CreateRequest.newBuilder().setPath("/load/k" + i).build());
        }
        for (int i = 0; i < writes; i++) {
            cluster.kv(id).set(SetRequest.newBuilder().setPath("/load/k" + (i % KEYS)).setExpectedVersion(-1)
                    .setData(ByteString.copyFromUtf8("value " + i)).build());
        }
        StatusRuntimeException missing = assertThrows(StatusRuntimeException.class,
                () -> cluster.kv(id).get(GetRequest.newBuilder().setPath("/no/such/node").build()));
        assertEquals(Status.Code.NOT_FOUND, missing.getStatus().getCode());
        await().atMost(Duration.ofSeconds(30)).until(() -> events.get() >= writes);
        return watch;
    }
}
