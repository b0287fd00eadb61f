package io.kvorum.server.api;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.rpc.ErrorInfo;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.kvorum.proto.v1.BatchError;
import io.kvorum.proto.v1.BatchItem;
import io.kvorum.proto.v1.BatchRequest;
import io.kvorum.proto.v1.BatchResponse;
import io.kvorum.proto.v1.BatchResult;
import io.kvorum.proto.v1.Consistency;
import io.kvorum.proto.v1.CreateRequest;
import io.kvorum.proto.v1.DeleteRequest;
import io.kvorum.proto.v1.ExistsRequest;
import io.kvorum.proto.v1.GetRequest;
import io.kvorum.proto.v1.KVGrpc;
import io.kvorum.proto.v1.MultiRequest;
import io.kvorum.proto.v1.Op;
import io.kvorum.proto.v1.SetRequest;
import io.kvorum.server.testing.InJvmCluster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** KV.Batch against a real 3-node cluster: per-item answers as the unary calls give them. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BatchStreamTest {
    @TempDir
    Path dir;
    InJvmCluster cluster;
    long leader;
    long follower;

    @BeforeEach
    void start() throws Exception {
        cluster = new InJvmCluster(dir, 3, "batch-test");
        // Room at the door for more than one stream's bound of items, so that the stream's own
        // bound is what the tests meet (OverloadIntegrationTest meets the door's).
        AdmissionLimits d = AdmissionLimits.defaults();
        cluster.admission(new AdmissionLimits(2 * BatchStream.MAX_IN_FLIGHT, 2 * BatchStream.MAX_IN_FLIGHT,
                d.retryAfter(), d.maxStreamsPerConnection(), d.maxWatchesPerConnection(), d.maxApplyGap()));
        cluster.startAll();
        leader = cluster.awaitLeader();
        follower = cluster.other(leader);
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    /** One Batch stream to a node, collecting results by item id. */
    private final class Stream implements StreamObserver<BatchResponse> {
        final Map<Long, BatchResult> results = new ConcurrentHashMap<>();
        final AtomicInteger messages = new AtomicInteger();
        final List<Long> order = java.util.Collections.synchronizedList(new ArrayList<>());
        volatile Throwable ended;
        final StreamObserver<BatchRequest> out;

        Stream(long node) {
            out = KVGrpc.newStub(cluster.node(node).channel()).batch(this);
        }

        void send(BatchItem... items) {
            out.onNext(BatchRequest.newBuilder().addAllItems(List.of(items)).build());
        }

        BatchResult result(long id) {
            await().atMost(Duration.ofSeconds(30)).until(() -> results.containsKey(id) || ended != null);
            assertTrue(results.containsKey(id), "no result for item " + id + "; stream ended with " + ended);
            return results.get(id);
        }

        @Override
        public void onNext(BatchResponse value) {
            messages.incrementAndGet();
            for (BatchResult r : value.getResultsList()) {
                order.add(r.getId());
                results.put(r.getId(), r);
            }
        }

        @Override
        public void onError(Throwable t) {
            ended = t;
        }

        @Override
        public void onCompleted() {
            ended = new IllegalStateException("completed");
        }
    }

    private static BatchItem create(long id, String path, String data) {
        return BatchItem.newBuilder().setId(id).setCreate(CreateRequest.newBuilder().setPath(path)
                .setData(ByteString.copyFromUtf8(data))).build();
    }

    private static BatchItem set(long id, String path, String data, long version) {
        return BatchItem.newBuilder().setId(id).setSet(SetRequest.newBuilder().setPath(path)
                .setData(ByteString.copyFromUtf8(data)).setExpectedVersion(version)).build();
    }

    private static BatchItem get(long id, String path) {
        return BatchItem.newBuilder().setId(id).setGet(GetRequest.newBuilder().setPath(path)).build();
    }

    /** Asserts an error result with this gRPC code and ErrorInfo reason, readable as a unary client reads it. */
    private static BatchError assertError(BatchResult r, Status.Code code, String reason) throws Exception {
        assertEquals(BatchResult.ResultCase.ERROR, r.getResultCase(), r.toString());
        BatchError e = r.getError();
        assertEquals(code.value(), e.getCode(), e.toString());
        com.google.rpc.Status rich = com.google.rpc.Status.parseFrom(e.getDetails());
        assertEquals(code.value(), rich.getCode());
        assertEquals(e.getMessage(), rich.getMessage());
        ErrorInfo info = null;
        for (Any a : rich.getDetailsList()) {
            if (a.is(ErrorInfo.class)) {
                info = a.unpack(ErrorInfo.class);
            }
        }
        assertEquals(reason, info == null ? null : info.getReason(), e.toString());
        return e;
    }

    @Test
    void everyOperationAnswersAsItsUnaryCallWithPerItemErrors() throws Exception {
        Stream s = new Stream(follower);
        s.send(create(1, "/a", "one"), create(2, "/a", "again"), create(3, "/missing/child", ""),
                set(4, "/a", "two", 5), BatchItem.newBuilder().setId(5).build());
        assertEquals("/a", s.result(1).getCreate().getPath());
        assertError(s.result(2), Status.Code.ALREADY_EXISTS, "NODE_EXISTS");
        BatchError noParent = assertError(s.result(3), Status.Code.NOT_FOUND, "NO_NODE");
        assertTrue(noParent.getMessage().contains("/missing"), noParent.getMessage());
        assertError(s.result(4), Status.Code.FAILED_PRECONDITION, "BAD_VERSION");
        assertError(s.result(5), Status.Code.INVALID_ARGUMENT, "INVALID_DATA");

        // A read and a later write in flight together may be ordered either way (both are
        // linearizable, neither finished before the other began): read first, then write.
        s.send(get(6, "/a"), get(7, "/nope"));
        assertEquals("one", s.result(6).getGet().getData().toStringUtf8());
        s.send(BatchItem.newBuilder().setId(8).setExists(ExistsRequest.newBuilder().setPath("/a")
                        .setConsistency(Consistency.SERIALIZABLE).setMinRevision(s.result(1).getCreate()
                                .getHeader().getRevision())).build(),
                set(9, "/a", "two", 0), create(10, "bad//path", ""),
                BatchItem.newBuilder().setId(11).setMulti(MultiRequest.newBuilder()
                        .addOps(Op.newBuilder().setCreate(CreateRequest.newBuilder().setPath("/m")))
                        .addOps(Op.newBuilder().setDelete(DeleteRequest.newBuilder().setPath("/zz")
                                .setExpectedVersion(-1)))).build());
        assertEquals("one", s.result(6).getGet().getData().toStringUtf8());
        assertError(s.result(7), Status.Code.NOT_FOUND, "NO_NODE");
        assertTrue(s.result(8).getExists().getExists());
        assertEquals(1, s.result(9).getSet().getStat().getVersion());
        assertError(s.result(10), Status.Code.INVALID_ARGUMENT, "INVALID_PATH");
        assertError(s.result(11), Status.Code.NOT_FOUND, "NO_NODE");

        s.send(BatchItem.newBuilder().setId(12).setDelete(DeleteRequest.newBuilder().setPath("/a")
                .setExpectedVersion(1)).build());
        assertTrue(s.result(12).hasDelete());
        assertEquals(Status.Code.NOT_FOUND, Status.fromThrowable(org.junit.jupiter.api.Assertions.assertThrows(
                io.grpc.StatusRuntimeException.class, () -> cluster.kv(leader).get(GetRequest.newBuilder()
                        .setPath("/a").build()))).getCode());
    }

    @Test
    void writesOfOneStreamApplyInTheOrderSentAndResultsComeCoalesced() {
        Stream s = new Stream(leader);
        s.send(create(1, "/seq", "start"));
        s.result(1);
        int n = 300;
        for (int i = 0; i < n; i += 30) {
            List<BatchItem> items = new ArrayList<>();
            for (int j = i; j < i + 30; j++) {
                items.add(set(100 + j, "/seq", Integer.toString(j), -1));
            }
            s.send(items.toArray(BatchItem[]::new));
        }
        for (int i = 0; i < n; i++) {
            // Version i+1: the i-th write sent is the i-th applied.
            assertEquals(i + 1, s.result(100 + i).getSet().getStat().getVersion(), "write " + i);
        }
        assertEquals(Integer.toString(n - 1), cluster.kv(follower).get(GetRequest.newBuilder().setPath("/seq")
                .build()).getData().toStringUtf8());
        assertTrue(s.messages.get() < n, "results of one apply burst share a message: " + s.messages.get()
                + " messages for " + (n + 1) + " results");
    }

    @Test
    void anItemThatDoesNotParseFailsAloneWithInvalidArgument() throws Exception {
        byte[] good = get(1, "/").toByteArray();
        byte[] badGet = lengthDelimited(GetRequest.PATH_FIELD_NUMBER, RawBytes.BAD_UTF8);
        ByteArrayOutputStream bad = new ByteArrayOutputStream();
        CodedOutputStream o = CodedOutputStream.newInstance(bad);
        o.writeUInt64(BatchItem.ID_FIELD_NUMBER, 2);
        o.writeByteArray(BatchItem.GET_FIELD_NUMBER, badGet);
        o.flush();
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        CodedOutputStream m = CodedOutputStream.newInstance(message);
        m.writeByteArray(BatchRequest.ITEMS_FIELD_NUMBER, good);
        m.writeByteArray(BatchRequest.ITEMS_FIELD_NUMBER, bad.toByteArray());
        m.writeByteArray(BatchRequest.ITEMS_FIELD_NUMBER, get(3, "/").toByteArray());
        m.flush();

        Stream s = new Stream(follower);
        ClientCall<byte[], BatchResponse> call = cluster.node(follower).channel()
                .newCall(RawBytes.asBytes(KVGrpc.getBatchMethod()), CallOptions.DEFAULT);
        StreamObserver<byte[]> raw = ClientCalls.asyncBidiStreamingCall(call, s);
        raw.onNext(message.toByteArray());
        assertTrue(s.result(1).hasGet());
        BatchError e = assertError(s.result(2), Status.Code.INVALID_ARGUMENT, "INVALID_DATA");
        assertTrue(e.getMessage().contains("get.path is not valid UTF-8"), e.getMessage());
        assertTrue(s.result(3).hasGet());
        raw.onCompleted();
        await().atMost(Duration.ofSeconds(10)).until(() -> s.ended != null);
        assertEquals("completed", s.ended.getMessage(), "the stream ends cleanly once every item is answered");
    }

    @Test
    void itemsBeyondTheInFlightBoundAreRefusedAndWaitingItemsTimeOutAlone() throws Exception {
        Stream s = new Stream(follower);
        // Serializable reads waiting for a revision that never comes: they stay in flight.
        List<BatchItem> waiting = new ArrayList<>();
        for (int i = 0; i < BatchStream.MAX_IN_FLIGHT; i++) {
            waiting.add(BatchItem.newBuilder().setId(i + 1).setTimeoutMillis(3_000).setGet(GetRequest.newBuilder()
                    .setPath("/").setConsistency(Consistency.SERIALIZABLE).setMinRevision(1L << 40)).build());
        }
        s.send(waiting.toArray(BatchItem[]::new));
        s.send(get(1_000_000, "/"));
        assertError(s.result(1_000_000), Status.Code.RESOURCE_EXHAUSTED, "ERROR_REASON_UNSPECIFIED");
        assertTrue(s.results.size() == 1, "the waiting items are still waiting");
        assertError(s.result(1), Status.Code.DEADLINE_EXCEEDED, "ERROR_REASON_UNSPECIFIED");
        s.result(BatchStream.MAX_IN_FLIGHT);
        s.send(get(1_000_001, "/"));
        assertTrue(s.result(1_000_001).hasGet(), "room again once the waiting items were answered");
    }

    private static byte[] lengthDelimited(int field, byte[] value) throws IOException {
        return RawBytes.lengthDelimited(field, value);
    }
}
