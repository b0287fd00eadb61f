package io.kvorum.server.api;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import com.google.rpc.ErrorInfo;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.kvorum.proto.batch.BatchRefusals;
import io.kvorum.proto.v1.BatchError;
import io.kvorum.proto.v1.BatchItem;
import io.kvorum.proto.v1.BatchRefusal;
import io.kvorum.proto.v1.BatchRequest;
import io.kvorum.proto.v1.BatchResponse;
import io.kvorum.proto.v1.BatchResult;
import io.kvorum.proto.v1.ChildrenRequest;
import io.kvorum.proto.v1.CreateRequest;
import io.kvorum.proto.v1.GetRequest;
import io.kvorum.proto.v1.KVGrpc;
import io.kvorum.proto.v1.WatchCreate;
import io.kvorum.proto.v1.WatchGrpc;
import io.kvorum.proto.v1.WatchRequest;
import io.kvorum.proto.v1.WatchResponse;
import io.kvorum.server.testing.InJvmCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Admission control under overload: a burst of far more requests than a node admits. The
 * nodes stay up, the excess is refused RESOURCE_EXHAUSTED (OVERLOADED) with a retry hint and
 * nothing done, what was admitted is applied on every replica, and once the burst is over
 * every request is served again. Per-connection stream and watch limits cut a greedy
 * connection off, and give back what it held when its streams end.
 */
class OverloadIntegrationTest {
    private static final int MAX_WRITES = 8;
    private static final int MAX_READS = 8;
    private static final int BURST = 1_500;

    @TempDir
    Path dir;

    @Test
    void aBurstFarOverCapacityIsShedWithARetryHintAndServiceRecovers() throws Exception {
        try (InJvmCluster cluster = new InJvmCluster(dir, 3, "overload")) {
            cluster.admission(new AdmissionLimits(MAX_READS, MAX_WRITES, Duration.ofMillis(40), 4, 8, 5_000));
            cluster.startAll();
            long leader = cluster.awaitLeader();
            KVGrpc.KVFutureStub kv = KVGrpc.newFutureStub(cluster.node(leader).channel())
                    .withDeadlineAfter(60, TimeUnit.SECONDS);
            kv.create(CreateRequest.newBuilder().setPath("/o").build()).get();

            // Writes: every one is created at once; the node admits MAX_WRITES at a time.
            List<ListenableFuture<?>> writes = new ArrayList<>();
            List<Long> admittedMillis = Collections.synchronizedList(new ArrayList<>());
            for (int i = 0; i < BURST; i++) {
                long start = System.nanoTime();
                ListenableFuture<?> f = kv.create(CreateRequest.newBuilder().setPath("/o/n" + i)
                        .setData(ByteString.copyFromUtf8("v" + i)).build());
                f.addListener(() -> {
                    if (succeeded(f)) {
                        admittedMillis.add((System.nanoTime() - start) / 1_000_000);
                    }
                }, Runnable::run);
                writes.add(f);
            }
            Outcomes w = outcomes(writes);
            // Reads likewise, at the leader (a loaded machine may have moved it meanwhile).
            leader = cluster.awaitLeader();
            kv = KVGrpc.newFutureStub(cluster.node(leader).channel()).withDeadlineAfter(60, TimeUnit.SECONDS);
            List<ListenableFuture<?>> reads = new ArrayList<>();
            for (int i = 0; i < BURST; i++) {
                reads.add(kv.get(GetRequest.newBuilder().setPath("/o").build()));
            }
            Outcomes r = outcomes(reads);
            System.out.printf("overload: writes %d ok %d refused %d no leader; reads %d ok %d refused %d no leader;"
                            + " admitted writes' p50 %d ms p99 %d ms (from a burst of %d on a shared machine)%n",
                    w.ok, w.overloaded, w.noLeader, r.ok, r.overloaded, r.noLeader, percentile(admittedMillis, 50),
                    percentile(admittedMillis, 99), BURST);
            // A loaded machine may change leaders mid-burst: NO_LEADER is an answer too, and
            // nothing was done. Anything else is not.
            assertEquals(List.of(), w.other, "writes failed otherwise than OVERLOADED or NO_LEADER");
            assertEquals(List.of(), r.other, "reads failed otherwise than OVERLOADED or NO_LEADER");
            assertTrue(w.ok > 0 && w.overloaded > 0, "writes: " + w.ok + " ok, " + w.overloaded + " refused");
            assertTrue(r.ok > 0 && r.overloaded > 0, "reads: " + r.ok + " ok, " + r.overloaded + " refused");

            // Nothing refused was applied; everything admitted is on every replica.
            long refusedWrites = cluster.runningIds().stream()
                    .mapToLong(id -> cluster.node(id).server().admission().refusedWrites()).sum();
            assertEquals(w.overloaded, refusedWrites, "every OVERLOADED answer was counted by a door");
            for (long id : cluster.runningIds()) {
                KVGrpc.KVBlockingStub node = cluster.kv(id);
                await().atMost(Duration.ofSeconds(30)).until(() -> children(node, "/o") == w.ok);
            }
            for (long id : cluster.runningIds()) {
                Admission door = cluster.node(id).server().admission();
                assertEquals(0, door.inFlightWrites() + door.inFlightReads(), "permits not given back on " + id);
            }

            // The burst is over: every request is served again.
            leader = cluster.awaitLeader();
            for (int i = 0; i < 50; i++) {
                cluster.kv(leader).create(CreateRequest.newBuilder().setPath("/o/after" + i).build());
            }
            assertEquals(w.ok + 50, children(cluster.kv(leader), "/o"));
        }
    }

    /**
     * A Batch stream carries many calls through one door: each item passes the same in-flight
     * limit as its unary call, so one message of 1,500 writes is not 1,500 admitted writes.
     */
    @Test
    void theItemsOfABatchStreamPassTheDoorOneByOne() throws Exception {
        try (InJvmCluster cluster = new InJvmCluster(dir, 3, "batch-door")) {
            cluster.admission(new AdmissionLimits(MAX_READS, MAX_WRITES, Duration.ofMillis(40), 4, 8, 5_000));
            cluster.startAll();
            long leader = cluster.awaitLeader();
            List<BatchResponse> answers = burstOfCreates(cluster.node(leader).channel(), "/b", new Metadata());
            List<BatchResult> results = answers.stream().flatMap(r -> r.getResultsList().stream()).toList();
            assertEquals(BURST, results.size());
            long ok = results.stream().filter(r -> r.hasCreate()).count();
            List<BatchError> refused = results.stream().filter(BatchResult::hasError).map(BatchResult::getError).toList();
            for (BatchError e : refused) {
                assertOverloaded(e);
            }
            assertTrue(ok > 0 && !refused.isEmpty(), ok + " created, " + refused.size() + " refused");
            assertEquals(refused.size(), cluster.node(leader).server().admission().refusedWrites(),
                    "every refused item was counted by the door");
            long created = ok;
            await().atMost(Duration.ofSeconds(30)).until(() -> children(cluster.kv(leader), "/b") == created);
            Admission door = cluster.node(leader).server().admission();
            assertEquals(0, door.inFlightWrites() + door.inFlightReads(), "permits given back");
        }
    }

    /**
     * A client that asks for packed refusals gets the items the door refused as their ids with
     * one shared error, the same error (code, message, retry hint) a BatchResult would carry:
     * a few bytes per refused item instead of a result with the whole error each. Once the door
     * refuses a write, the rest of the message's writes are refused too, so the admitted ones
     * are the first the message carried.
     */
    @Test
    void aStreamThatAsksGetsItsRefusalsAsIdsWithOneSharedError() throws Exception {
        try (InJvmCluster cluster = new InJvmCluster(dir, 3, "batch-packed")) {
            cluster.admission(new AdmissionLimits(MAX_READS, MAX_WRITES, Duration.ofMillis(40), 4, 8, 5_000));
            cluster.startAll();
            long leader = cluster.awaitLeader();
            List<BatchResponse> answers = burstOfCreates(cluster.node(leader).channel(), "/p",
                    BatchRefusals.asking());
            List<BatchResult> results = answers.stream().flatMap(r -> r.getResultsList().stream()).toList();
            List<BatchRefusal> refusals = answers.stream().flatMap(r -> r.getRefusalsList().stream()).toList();
            int messageBytes = answers.stream().filter(r -> r.getRefusalsCount() > 0)
                    .mapToInt(BatchResponse::getSerializedSize).max().orElse(0);
            List<Long> created = results.stream().filter(BatchResult::hasCreate).map(BatchResult::getId).sorted().toList();
            assertEquals(List.of(), results.stream().filter(BatchResult::hasError).toList(),
                    "refusals come packed, nothing else fails");
            List<Long> refused = new ArrayList<>();
            for (BatchRefusal g : refusals) {
                refused.addAll(g.getIdsList());
                assertOverloaded(g.getError());
                assertTrue(g.getError().getMessage().contains("writes already"), g.getError().getMessage());
            }
            // A write admitted early may finish, and give its permit back, before the loop over
            // the message reaches the door again, so the door can admit more than its limit in
            // all; what it admits is always the message's first items.
            assertTrue(created.size() >= MAX_WRITES && created.size() < BURST,
                    "the door admits at least its limit from one message and refuses the rest: " + created.size());
            for (int i = 0; i < created.size(); i++) {
                assertEquals((long) i, created.get(i), "the admitted items are the first the message carried");
            }
            List<Long> all = new ArrayList<>(created);
            all.addAll(refused);
            Collections.sort(all);
            for (int i = 0; i < BURST; i++) {
                assertEquals((long) i, all.get(i), "every item answered once, by a result or a refusal");
            }
            assertEquals(BURST, all.size());
            assertEquals(refused.size(), cluster.node(leader).server().admission().refusedWrites(),
                    "every refused item was counted by the door");
            assertTrue(messageBytes < 64 * 1024, "about "
                    + refused.size() + " refusals in " + messageBytes + " bytes");
            await().atMost(Duration.ofSeconds(30)).until(() -> children(cluster.kv(leader), "/p") == created.size());
            Admission door = cluster.node(leader).server().admission();
            await().atMost(Duration.ofSeconds(10)).until(() -> door.inFlightWrites() + door.inFlightReads() == 0);
        }
    }

    /** A Batch item's refusal by the door: RESOURCE_EXHAUSTED, reason OVERLOADED, the 40 ms retry hint. */
    private static void assertOverloaded(BatchError e) throws Exception {
        assertEquals(Status.Code.RESOURCE_EXHAUSTED.value(), e.getCode(), e.getMessage());
        ErrorInfo i = info(StatusProto.toStatusRuntimeException(com.google.rpc.Status.parseFrom(e.getDetails())));
        assertEquals("OVERLOADED", i.getReason(), e.getMessage());
        assertEquals("40", i.getMetadataMap().get("retry_after_ms"), "the retry hint detail");
    }

    /**
     * Creates {@code parent}, then sends {@value #BURST} creates of its children in one Batch
     * message over a stream opened with {@code headers}; returns every response once each item
     * has been answered (by a result or in a refusal group).
     */
    private static List<BatchResponse> burstOfCreates(ManagedChannel channel, String parent, Metadata headers)
            throws InterruptedException {
        KVGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
                .create(CreateRequest.newBuilder().setPath(parent).build());
        BatchRequest.Builder burst = BatchRequest.newBuilder();
        for (int i = 0; i < BURST; i++) {
            burst.addItems(BatchItem.newBuilder().setId(i).setTimeoutMillis(60_000)
                    .setCreate(CreateRequest.newBuilder().setPath(parent + "/n" + i)));
        }
        List<BatchResponse> answers = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger answered = new AtomicInteger();
        CountDownLatch ended = new CountDownLatch(1);
        StreamObserver<BatchRequest> requests = KVGrpc.newStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .withDeadlineAfter(60, TimeUnit.SECONDS).batch(new StreamObserver<>() {
                    @Override
                    public void onNext(BatchResponse r) {
                        answers.add(r);
                        int n = r.getResultsCount();
                        for (BatchRefusal g : r.getRefusalsList()) {
                            n += g.getIdsCount();
                        }
                        if (answered.addAndGet(n) == BURST) {
                            ended.countDown();
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        ended.countDown();
                    }

                    @Override
                    public void onCompleted() {
                        ended.countDown();
                    }
                });
        requests.onNext(burst.build());
        assertTrue(ended.await(60, TimeUnit.SECONDS), "every item answered");
        requests.onCompleted();
        return List.copyOf(answers);
    }

    @Test
    void aConnectionOverItsStreamOrWatchLimitIsCutOffAndGivesBackWhatItHeld() throws Exception {
        try (InJvmCluster cluster = new InJvmCluster(dir, 1, "streams")) {
            cluster.admission(new AdmissionLimits(100, 100, Duration.ofMillis(40), 4, 8, 5_000));
            cluster.startAll();
            long leader = cluster.awaitLeader();
            Admission door = cluster.node(leader).server().admission();
            ManagedChannel one = NettyChannelBuilder.forAddress("127.0.0.1", cluster.clientPort(leader))
                    .usePlaintext().build();
            try {
                WatchGrpc.WatchStub watch = WatchGrpc.newStub(one);
                List<Stream> streams = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    Stream s = new Stream();
                    s.requests = watch.watch(s);
                    s.requests.onNext(create(i));
                    streams.add(s);
                }
                // Four streams are served (each answers its create); the fifth is refused.
                await().until(() -> streams.stream().filter(s -> s.created.get() != null).count() == 4
                        && streams.stream().filter(s -> s.error.get() != null).count() == 1);
                Stream refused = streams.stream().filter(s -> s.error.get() != null).findFirst().orElseThrow();
                assertTooManyStreams(refused.error.get());

                // Watches: the first stream holds 1; 3 others hold 3; 4 more fit, the 5th cuts that stream.
                Stream greedy = streams.stream().filter(s -> s.created.get() != null).findFirst().orElseThrow();
                for (int i = 100; i < 105; i++) {
                    greedy.requests.onNext(create(i));
                }
                await().until(() -> greedy.error.get() != null);
                assertTooManyStreams(greedy.error.get());

                // The other streams still work.
                for (Stream s : streams) {
                    if (s != greedy && s != refused) {
                        s.requests.onCompleted();
                    }
                }
                await().until(() -> door.openStreams() == 0);
                Stream again = new Stream();
                again.requests = watch.watch(again);
                again.requests.onNext(create(7));
                await().until(() -> again.created.get() != null);
                again.requests.onCompleted();
            } finally {
                one.shutdownNow();
            }
        }
    }

    private static WatchRequest create(long id) {
        return WatchRequest.newBuilder().setCreate(WatchCreate.newBuilder().setWatchId(id).setPath("/")
                .setRecursive(true)).build();
    }

    private static void assertTooManyStreams(Throwable t) {
        Status s = Status.fromThrowable(t);
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, s.getCode(), t.toString());
        assertEquals("TOO_MANY_STREAMS", reason(t), t.toString());
    }

    private static final class Stream implements StreamObserver<WatchResponse> {
        StreamObserver<WatchRequest> requests;
        final AtomicReference<WatchResponse> created = new AtomicReference<>();
        final AtomicReference<Throwable> error = new AtomicReference<>();

        @Override
        public void onNext(WatchResponse r) {
            if (r.getCreated()) {
                created.compareAndSet(null, r);
            }
        }

        @Override
        public void onError(Throwable t) {
            error.set(t);
        }

        @Override
        public void onCompleted() {
        }
    }

    private record Outcomes(long ok, long overloaded, long noLeader, List<String> other) {
    }

    private static boolean succeeded(ListenableFuture<?> f) {
        try {
            f.get();
            return true;
        } catch (ExecutionException | InterruptedException e) {
            return false;
        }
    }

    private static Outcomes outcomes(List<ListenableFuture<?>> calls) throws InterruptedException {
        long ok = 0;
        long overloaded = 0;
        long noLeader = 0;
        List<String> other = new ArrayList<>();
        for (ListenableFuture<?> f : calls) {
            try {
                f.get();
                ok++;
            } catch (ExecutionException e) {
                Throwable t = e.getCause();
                if (Status.fromThrowable(t).getCode() == Status.Code.RESOURCE_EXHAUSTED
                        && "OVERLOADED".equals(reason(t))) {
                    overloaded++;
                    Metadata trailers = Status.trailersFromThrowable(t);
                    assertEquals("40", trailers.get(Admission.RETRY_AFTER_MS), "the retry hint trailer");
                    assertEquals("40", info(t).getMetadataMap().get("retry_after_ms"), "the retry hint detail");
                } else if ("NO_LEADER".equals(reason(t))) {
                    noLeader++;
                } else {
                    other.add(t.toString());
                }
            }
        }
        return new Outcomes(ok, overloaded, noLeader, other);
    }

    private static String reason(Throwable t) {
        ErrorInfo i = info(t);
        return i == null ? null : i.getReason();
    }

    private static ErrorInfo info(Throwable t) {
        com.google.rpc.Status st = StatusProto.fromThrowable(t);
        if (st == null) {
            return null;
        }
        for (com.google.protobuf.Any a : st.getDetailsList()) {
            if (a.is(ErrorInfo.class)) {
                try {
                    return a.unpack(ErrorInfo.class);
                } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                    return null;
                }
            }
        }
        return null;
    }

    private static long children(KVGrpc.KVBlockingStub kv, String path) {
        return kv.children(ChildrenRequest.newBuilder().setPath(path).setPageSize(10_000).build()).getChildrenCount();
    }

    private static long percentile(List<Long> millis, int p) {
        List<Long> sorted;
        synchronized (millis) {
            sorted = new ArrayList<>(millis);
        }
        Collections.sort(sorted);
        return sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, sorted.size() * p / 100));
    }
}
