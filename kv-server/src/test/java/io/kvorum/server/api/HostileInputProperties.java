package io.kvorum.server.api;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.kvorum.proto.v1.Child;
import io.kvorum.proto.v1.ChildrenRequest;
import io.kvorum.proto.v1.ChildrenResponse;
import io.kvorum.proto.v1.CloseSessionRequest;
import io.kvorum.proto.v1.Consistency;
import io.kvorum.proto.v1.CreateRequest;
import io.kvorum.proto.v1.DeleteRequest;
import io.kvorum.proto.v1.ExistsRequest;
import io.kvorum.proto.v1.GetRequest;
import io.kvorum.proto.v1.GetResponse;
import io.kvorum.proto.v1.MultiRequest;
import io.kvorum.proto.v1.OpenSessionRequest;
import io.kvorum.proto.v1.Op;
import io.kvorum.proto.v1.RequestHeader;
import io.kvorum.proto.v1.SetRequest;
import io.kvorum.proto.v1.WatchCancel;
import io.kvorum.proto.v1.WatchCreate;
import io.kvorum.proto.v1.WatchProgress;
import io.kvorum.proto.v1.WatchRequest;
import io.kvorum.server.testing.InJvmCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Hostile input against three real nodes: random bytes as the body of every client-facing
 * unary method and of the peer port's methods, requests with hostile fields (invalid UTF-8,
 * huge and negative numbers, unknown enum values, deep and long paths), random watch streams,
 * a greedy connection, and a reader too slow to keep up. Each input gets a clear answer (a
 * status other than UNKNOWN / INTERNAL, with a message); afterwards every node still serves,
 * the replicas hold byte-identical trees, and nothing stays in flight.
 *
 * <p>Tries per property: {@code -Dfuzz.tries=N} (100 in CI, which keeps the class under a minute
 * on a loaded 2-core machine; raise it by hand for a long run). Cluster membership changes are left out of the
 * random bodies: a random but valid AddMember/PromoteMember is an operator's request, and
 * obeying it is correct.
 */
class HostileInputProperties {
    private static final List<String> UNARY = List.of("kvorum.v1.KV/Create", "kvorum.v1.KV/Get", "kvorum.v1.KV/Set",
            "kvorum.v1.KV/Delete", "kvorum.v1.KV/Exists", "kvorum.v1.KV/Children", "kvorum.v1.KV/Multi",
            "kvorum.v1.Session/Open", "kvorum.v1.Session/Close", "kvorum.v1.Cluster/ListMembers",
            "kvorum.v1.Cluster/Status");
    private static final List<String> PEER_UNARY = List.of("kvorum.peer.v1.PeerService/SnapshotOffset");
    private static final List<String> PEER_STREAMS = List.of("kvorum.peer.v1.PeerService/Stream",
            "kvorum.peer.v1.PeerService/InstallSnapshot");
    /** Codes that say "the server broke", not "your request is bad". */
    private static final Set<Status.Code> BROKEN = Set.of(Status.Code.UNKNOWN, Status.Code.INTERNAL,
            Status.Code.UNIMPLEMENTED, Status.Code.DATA_LOSS);

    private static Path dir;
    private static InJvmCluster cluster;
    private static final List<ManagedChannel> peerChannels = new ArrayList<>();

    @BeforeContainer
    static void start() throws IOException {
        dir = Files.createTempDirectory("kvorum-hostile");
        cluster = new InJvmCluster(dir, 3, "hostile");
        cluster.options(InJvmCluster.testOptions().withWatcherLimits(50, 256 * 1024));
        cluster.admission(new AdmissionLimits(2_000, 1_000, Duration.ofMillis(50), 8, 64, 5_000));
        cluster.startAll();
        cluster.awaitLeader();
        cluster.kv(cluster.awaitLeader()).create(CreateRequest.newBuilder().setPath("/f").build());
        for (long id = 1; id <= 3; id++) {
            String[] hp = cluster.peerAddress(id).split(":");
            peerChannels.add(NettyChannelBuilder.forAddress(hp[0], Integer.parseInt(hp[1])).usePlaintext().build());
        }
    }

    @AfterContainer
    static void everyNodeStillServesAndTheReplicasAreIdentical() throws IOException {
        try {
            long leader = cluster.awaitLeader();
            long revision = 0;
            for (long id : cluster.runningIds()) {
                revision = cluster.kv(id).create(CreateRequest.newBuilder().setPath("/f/alive-" + id).build())
                        .getHeader().getRevision();
            }
            long upTo = revision;
            List<List<String>> trees = new ArrayList<>();
            for (long id : cluster.runningIds()) {
                trees.add(tree(cluster, id, "/", upTo));
            }
            for (List<String> t : trees) {
                assertEquals(trees.get(0), t, "replicas differ");
            }
            for (long id : cluster.runningIds()) {
                Admission door = cluster.node(id).server().admission();
                await().atMost(Duration.ofSeconds(20)).until(() -> door.inFlightReads() == 0
                        && door.inFlightWrites() == 0 && door.openStreams() == 0);
            }
            System.out.println("hostile input: " + trees.get(0).size() + " nodes identical on 3 replicas; leader "
                    + leader);
        } finally {
            peerChannels.forEach(ManagedChannel::shutdownNow);
            cluster.close();
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    // ------------------------------------------------------------------ properties

    @Property
    void randomBytesToAnyClientMethodGetAClearAnswer(@ForAll("clientMethods") String method,
                                                     @ForAll @Size(max = 600) byte[] body,
                                                     @ForAll @IntRange(min = 1, max = 3) int node) {
        expectClearAnswer(method, call(cluster.node(node).channel(), method, body));
    }

    @Property
    void hostileFieldsGetAClearAnswer(@ForAll("hostileRequests") Hostile r, @ForAll @IntRange(min = 1, max = 3) int node) {
        expectClearAnswer(r.method(), call(cluster.node(node).channel(), r.method(), r.body()));
    }

    @Property
    void randomBytesToThePeerPortKillNothing(@ForAll @Size(max = 600) byte[] body,
                                             @ForAll @IntRange(min = 0, max = 2) int node,
                                             @ForAll("peerMethods") String method) {
        Channel ch = peerChannels.get(node);
        // The peer port owes a stranger no explanation; it must only survive (checked at the end).
        Status s = PEER_UNARY.contains(method) ? call(ch, method, body) : stream(ch, method, List.of(body));
        assertNotEquals(null, s);
    }

    @Property
    void randomWatchStreamsGetAClearAnswer(@ForAll("watchRequests") List<WatchRequest> requests,
                                           @ForAll @IntRange(min = 1, max = 3) int node) {
        List<byte[]> bodies = requests.stream().map(WatchRequest::toByteArray).toList();
        Status s = stream(cluster.node(node).channel(), "kvorum.v1.Watch/Watch", bodies);
        assertFalse(BROKEN.contains(s.getCode()), "watch stream ended " + s);
    }

    @Example
    void aGreedyConnectionIsCutOffAtItsStreamLimit() throws Exception {
        ManagedChannel one = NettyChannelBuilder.forAddress("127.0.0.1", cluster.clientPort(1)).usePlaintext().build();
        try {
            List<ClientCall<byte[], byte[]>> calls = new ArrayList<>();
            List<AtomicReference<Status>> ends = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                AtomicReference<Status> end = new AtomicReference<>();
                ClientCall<byte[], byte[]> c = one.newCall(method("kvorum.v1.Watch/Watch", MethodDescriptor.MethodType.BIDI_STREAMING),
                        CallOptions.DEFAULT);
                c.start(new ClientCall.Listener<>() {
                    @Override
                    public void onClose(Status status, Metadata trailers) {
                        end.set(status);
                    }
                }, new Metadata());
                c.request(Integer.MAX_VALUE);
                c.sendMessage(WatchRequest.newBuilder().setCreate(WatchCreate.newBuilder().setWatchId(1)
                        .setPath("/f")).build().toByteArray());
                calls.add(c);
                ends.add(end);
            }
            await().until(() -> ends.stream().filter(e -> e.get() != null).count() == 12);
            assertTrue(ends.stream().filter(e -> e.get() != null)
                    .allMatch(e -> e.get().getCode() == Status.Code.RESOURCE_EXHAUSTED), ends.toString());
            calls.forEach(ClientCall::halfClose);
        } finally {
            one.shutdownNow();
        }
    }

    @Example
    void aReaderTooSlowToKeepUpIsCancelledNotBuffered() throws Exception {
        ManagedChannel slow = NettyChannelBuilder.forAddress("127.0.0.1", cluster.clientPort(2)).usePlaintext()
                .flowControlWindow(64 * 1024).build();
        try {
            AtomicReference<byte[]> cancel = new AtomicReference<>();
            CountDownLatch created = new CountDownLatch(1);
            ClientCall<byte[], byte[]> c = slow.newCall(method("kvorum.v1.Watch/Watch",
                    MethodDescriptor.MethodType.BIDI_STREAMING), CallOptions.DEFAULT);
            c.start(new ClientCall.Listener<>() {
                @Override
                public void onMessage(byte[] message) {
                    created.countDown();
                    cancel.set(message);
                }
            }, new Metadata());
            c.request(1); // reads the created answer, then never again
            c.sendMessage(WatchRequest.newBuilder().setCreate(WatchCreate.newBuilder().setWatchId(9).setPath("/f/slow")
                    .setRecursive(true)).build().toByteArray());
            assertTrue(created.await(20, TimeUnit.SECONDS));
            long leader = cluster.awaitLeader();
            cluster.kv(leader).create(CreateRequest.newBuilder().setPath("/f/slow").build());
            byte[] big = new byte[32 * 1024];
            for (int i = 0; i < 200; i++) {
                cluster.kv(leader).create(CreateRequest.newBuilder().setPath("/f/slow/n" + i)
                        .setData(ByteString.copyFrom(big)).build());
            }
            // The node's buffer for this watch is bounded (50 events, 256 KiB): it cancels the
            // watch instead of holding 6 MiB for a reader that does not read. Read on to see it.
            c.request(Integer.MAX_VALUE);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                byte[] m = cancel.get();
                return m != null && io.kvorum.proto.v1.WatchResponse.parseFrom(m).getCanceled();
            });
            assertEquals(io.kvorum.proto.v1.ErrorReason.WATCHER_TOO_SLOW,
                    io.kvorum.proto.v1.WatchResponse.parseFrom(cancel.get()).getCancelError());
            c.halfClose();
        } finally {
            slow.shutdownNow();
        }
    }

    // ------------------------------------------------------------------ generators

    @Provide
    Arbitrary<String> clientMethods() {
        return Arbitraries.of(UNARY);
    }

    @Provide
    Arbitrary<String> peerMethods() {
        List<String> all = new ArrayList<>(PEER_UNARY);
        all.addAll(PEER_STREAMS);
        return Arbitraries.of(all);
    }

    record Hostile(String method, byte[] body) {
        @Override
        public String toString() {
            return method + " " + body.length + " bytes";
        }
    }

    private static Arbitrary<String> paths() {
        Arbitrary<String> segment = Arbitraries.strings().all().ofMinLength(0).ofMaxLength(12);
        Arbitrary<String> joined = segment.list().ofMaxSize(6).map(l -> "/" + String.join("/", l));
        Arbitrary<String> deep = Arbitraries.integers().between(1, 3_000).map(n -> "/d".repeat(n));
        Arbitrary<String> long1 = Arbitraries.integers().between(1, 20_000).map(n -> "/" + "x".repeat(n));
        Arbitrary<String> odd = Arbitraries.of("", "/", "//", "/f/", "/f/./a", "/f/../a", "/f/\u0000", "f", "/zookeeper",
                "/f/\uD800", "/\u202E\u200B", "/f/" + "\uFFFF".repeat(10));
        return Arbitraries.oneOf(joined, deep, long1, odd, Arbitraries.just("/f").map(p -> p + "/n"));
    }

    private static Arbitrary<Long> wild() {
        return Arbitraries.oneOf(Arbitraries.longs(), Arbitraries.of(-1L, 0L, 1L, Long.MIN_VALUE, Long.MAX_VALUE,
                (long) Integer.MAX_VALUE + 1, -2L));
    }

    private static Arbitrary<RequestHeader> headers() {
        return Combinators.combine(Arbitraries.strings().all().ofMaxLength(2_000), wild(), wild())
                .as((id, seq, low) -> RequestHeader.newBuilder().setClientId(id).setSequence(seq)
                        .setLowestUnansweredSequence(low).build());
    }

    @Provide
    Arbitrary<Hostile> hostileRequests() {
        Arbitrary<byte[]> data = Arbitraries.integers().between(0, 1_200_000).map(byte[]::new);
        Arbitrary<Integer> enums = Arbitraries.integers().between(-3, 12);
        Arbitrary<Hostile> create = Combinators.combine(headers(), paths(), data, enums, wild(), wild())
                .as((h, p, d, mode, session, ttl) -> new Hostile("kvorum.v1.KV/Create",
                        CreateRequest.newBuilder().setHeader(h).setPath(p).setData(ByteString.copyFrom(d))
                                .setModeValue(mode).setSessionId(session).setTtlMillis(ttl).build().toByteArray()));
        Arbitrary<Hostile> set = Combinators.combine(headers(), paths(), wild())
                .as((h, p, v) -> new Hostile("kvorum.v1.KV/Set",
                        SetRequest.newBuilder().setHeader(h).setPath(p).setExpectedVersion(v).build().toByteArray()));
        Arbitrary<Hostile> delete = Combinators.combine(headers(), paths(), wild())
                .as((h, p, v) -> new Hostile("kvorum.v1.KV/Delete",
                        DeleteRequest.newBuilder().setHeader(h).setPath(p).setExpectedVersion(v).build().toByteArray()));
        // Reads: SERIALIZABLE with a min_revision in the future would rightly wait for it; keep
        // min_revision to values that exist or make no sense.
        Arbitrary<Long> minRevision = Arbitraries.of(-1L, 0L, 1L, Long.MIN_VALUE);
        Arbitrary<Hostile> get = Combinators.combine(paths(), enums, minRevision)
                .as((p, c, m) -> new Hostile("kvorum.v1.KV/Get",
                        GetRequest.newBuilder().setPath(p).setConsistencyValue(c).setMinRevision(m).build().toByteArray()));
        Arbitrary<Hostile> exists = Combinators.combine(paths(), enums, minRevision)
                .as((p, c, m) -> new Hostile("kvorum.v1.KV/Exists",
                        ExistsRequest.newBuilder().setPath(p).setConsistencyValue(c).setMinRevision(m).build().toByteArray()));
        Arbitrary<Hostile> children = Combinators.combine(paths(), Arbitraries.integers(), Arbitraries.strings().all()
                        .ofMaxLength(300))
                .as((p, size, token) -> new Hostile("kvorum.v1.KV/Children", ChildrenRequest.newBuilder().setPath(p)
                        .setConsistency(Consistency.LINEARIZABLE).setPageSize(size).setPageToken(token).build()
                        .toByteArray()));
        Arbitrary<Hostile> multi = Combinators.combine(headers(), paths().list().ofMaxSize(300))
                .as((h, ps) -> {
                    MultiRequest.Builder b = MultiRequest.newBuilder().setHeader(h);
                    for (String p : ps) {
                        b.addOps(Op.newBuilder().setCreate(CreateRequest.newBuilder().setPath(p)));
                    }
                    return new Hostile("kvorum.v1.KV/Multi", b.build().toByteArray());
                });
        Arbitrary<Hostile> session = Combinators.combine(headers(), wild())
                .as((h, ttl) -> new Hostile("kvorum.v1.Session/Open",
                        OpenSessionRequest.newBuilder().setHeader(h).setTtlMillis(ttl).build().toByteArray()));
        Arbitrary<Hostile> close = Combinators.combine(headers(), wild())
                .as((h, id) -> new Hostile("kvorum.v1.Session/Close",
                        CloseSessionRequest.newBuilder().setHeader(h).setSessionId(id).build().toByteArray()));
        Arbitrary<Hostile> typed = Arbitraries.oneOf(create, set, delete, get, exists, children, multi, session, close);
        // Invalid UTF-8 in the path: field 2 sent again with raw bytes (the last one wins).
        Arbitrary<byte[]> badUtf8 = Arbitraries.of(new byte[]{'/', (byte) 0xC3}, new byte[]{'/', (byte) 0xFF, 'a'},
                new byte[]{'/', (byte) 0xED, (byte) 0xA0, (byte) 0x80}, new byte[]{'/', (byte) 0xF8, (byte) 0x88});
        Arbitrary<Hostile> invalidUtf8 = Combinators.combine(typed, badUtf8)
                .as((h, bad) -> new Hostile(h.method(), withField(h.body(), 2, bad)));
        return Arbitraries.oneOf(typed, typed, invalidUtf8);
    }

    @Provide
    Arbitrary<List<WatchRequest>> watchRequests() {
        Arbitrary<WatchRequest> create = Combinators.combine(wild(), paths(), Arbitraries.of(true, false), wild())
                .as((id, p, rec, from) -> WatchRequest.newBuilder().setCreate(WatchCreate.newBuilder().setWatchId(id)
                        .setPath(p).setRecursive(rec).setStartRevision(from)).build());
        Arbitrary<WatchRequest> cancel = wild().map(id -> WatchRequest.newBuilder()
                .setCancel(WatchCancel.newBuilder().setWatchId(id)).build());
        Arbitrary<WatchRequest> progress = Arbitraries.just(WatchRequest.newBuilder()
                .setProgress(WatchProgress.getDefaultInstance()).build());
        return Arbitraries.oneOf(create, create, cancel, progress).list().ofMaxSize(40);
    }

    // ------------------------------------------------------------------ calls

    private static MethodDescriptor<byte[], byte[]> method(String name, MethodDescriptor.MethodType type) {
        return MethodDescriptor.<byte[], byte[]>newBuilder().setType(type).setFullMethodName(name)
                .setRequestMarshaller(RawBytes.BYTES).setResponseMarshaller(RawBytes.BYTES).build();
    }

    /** One unary call; its status (OK when it succeeded). */
    private static Status call(Channel ch, String name, byte[] body) {
        try {
            ClientCalls.blockingUnaryCall(ch, method(name, MethodDescriptor.MethodType.UNARY),
                    CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS), body);
            return Status.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus();
        }
    }

    /** A client stream: the messages, half-close, then wait (bounded) for the end; a stream still open is cancelled. */
    private static Status stream(Channel ch, String name, List<byte[]> messages) {
        AtomicReference<Status> end = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        ClientCall<byte[], byte[]> c = ch.newCall(method(name, MethodDescriptor.MethodType.BIDI_STREAMING),
                CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS));
        c.start(new ClientCall.Listener<>() {
            @Override
            public void onClose(Status status, Metadata trailers) {
                end.set(status);
                done.countDown();
            }
        }, new Metadata());
        c.request(Integer.MAX_VALUE);
        for (byte[] m : messages) {
            c.sendMessage(m);
        }
        c.halfClose();
        try {
            if (!done.await(6, TimeUnit.SECONDS)) {
                c.cancel("the test is done with this stream", null);
                return Status.CANCELLED;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            c.cancel("interrupted", null);
        }
        return end.get() == null ? Status.CANCELLED : end.get();
    }

    private static void expectClearAnswer(String method, Status s) {
        assertFalse(BROKEN.contains(s.getCode()), method + " answered " + s + ": the server broke, not the request");
        if (!s.isOk()) {
            assertTrue(s.getDescription() != null && !s.getDescription().isBlank(), method + " answered " + s
                    + " without saying why");
        }
    }

    private static String sha256(byte[] b) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] withField(byte[] message, int field, byte[] raw) {
        byte[] extra = RawBytes.lengthDelimited(field, raw);
        byte[] out = java.util.Arrays.copyOf(message, message.length + extra.length);
        System.arraycopy(extra, 0, out, message.length, extra.length);
        return out;
    }

    /** Every node under {@code path}, depth first: path, data and stat bytes, as node {@code id} serves them at {@code revision}. */
    private static List<String> tree(InJvmCluster cluster, long id, String path, long revision) {
        List<String> out = new ArrayList<>();
        GetResponse g = cluster.kv(id).get(GetRequest.newBuilder().setPath(path).setConsistency(Consistency.SERIALIZABLE)
                .setMinRevision(revision).build());
        out.add(path + " " + sha256(g.getData().toByteArray()) + " " + sha256(g.getStat().toByteArray()));
        String token = "";
        do {
            ChildrenResponse page = cluster.kv(id).children(ChildrenRequest.newBuilder().setPath(path)
                    .setConsistency(Consistency.SERIALIZABLE).setMinRevision(revision).setPageToken(token).build());
            for (Child c : page.getChildrenList()) {
                out.addAll(tree(cluster, id, (path.equals("/") ? "" : path) + "/" + c.getName(), revision));
            }
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        return out;
    }
}
