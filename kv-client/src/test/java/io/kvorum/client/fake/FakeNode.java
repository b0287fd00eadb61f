package io.kvorum.client.fake;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.kvorum.proto.v1.ChildrenRequest;
import io.kvorum.proto.v1.ChildrenResponse;
import io.kvorum.proto.v1.CloseSessionRequest;
import io.kvorum.proto.v1.CloseSessionResponse;
import io.kvorum.proto.v1.ClusterGrpc;
import io.kvorum.proto.v1.Consistency;
import io.kvorum.proto.v1.ErrorReason;
import io.kvorum.proto.v1.CreateRequest;
import io.kvorum.proto.v1.CreateResponse;
import io.kvorum.proto.v1.DeleteRequest;
import io.kvorum.proto.v1.DeleteResponse;
import io.kvorum.proto.v1.ExistsRequest;
import io.kvorum.proto.v1.ExistsResponse;
import io.kvorum.proto.v1.GetRequest;
import io.kvorum.proto.v1.GetResponse;
import io.kvorum.proto.v1.KVGrpc;
import io.kvorum.proto.v1.KeepAliveRequest;
import io.kvorum.proto.v1.KeepAliveResponse;
import io.kvorum.proto.v1.ListMembersRequest;
import io.kvorum.proto.v1.ListMembersResponse;
import io.kvorum.proto.v1.Member;
import io.kvorum.proto.v1.MultiRequest;
import io.kvorum.proto.v1.MultiResponse;
import io.kvorum.proto.v1.OpenSessionRequest;
import io.kvorum.proto.v1.OpenSessionResponse;
import io.kvorum.proto.v1.SessionGrpc;
import io.kvorum.proto.v1.SetRequest;
import io.kvorum.proto.v1.SetResponse;
import io.kvorum.proto.v1.StatusRequest;
import io.kvorum.proto.v1.StatusResponse;
import io.kvorum.proto.v1.WatchGrpc;
import io.kvorum.proto.v1.WatchRequest;
import io.kvorum.proto.v1.WatchResponse;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * One fake node: a real gRPC server on a loopback port serving a shared {@link FakeState},
 * with switches for the failures the client must survive: stop/start (connection refused and
 * broken streams), hang (a partitioned node that never answers), NO_LEADER with a leader hint,
 * lost replies (the write is applied, the answer never arrives), and a lagging copy for
 * serializable reads.
 */
public final class FakeNode implements AutoCloseable {
    public final long id;
    private final FakeState state;
    private int port;
    private Server server;

    /** Answer nothing at all (unary calls, keep-alives, watch messages). */
    public volatile boolean hang;
    /**
     * Hold unary calls until just before the caller's deadline, then refuse them DEADLINE_EXCEEDED
     * from the node, as a real node does with a call it cannot finish in time: e.g. one that hears
     * its leader but whose own messages to it are lost (a one-way partition), so that its
     * forwarded reads are never answered and it does not know it is cut off.
     */
    public volatile boolean timeOutAtDeadline;
    /** Refuse unary calls with NO_LEADER naming this address (or none when empty). */
    public volatile String noLeaderHint;
    /** Apply this many writes, then fail their reply with UNAVAILABLE as if the connection broke. */
    public final AtomicInteger loseReplies = new AtomicInteger();
    /** Serializable reads see this revision as the node's own (to test min_revision). */
    public final AtomicLong lagRevision = new AtomicLong(-1);
    /** Unary calls held by {@link #hang} that the client then cancelled. */
    public final AtomicInteger heldCallsCancelled = new AtomicInteger();
    /** Calls served, by kind. */
    public final AtomicInteger unaryCalls = new AtomicInteger();
    public final AtomicInteger keepAlives = new AtomicInteger();
    public final AtomicInteger watchCreates = new AtomicInteger();
    public final AtomicInteger listMembersCalls = new AtomicInteger();
    /** Status calls; also counted in unaryCalls. */
    public final AtomicInteger statusCalls = new AtomicInteger();
    /** Linearizable exists("/") calls, which is how the client probes an ejected node; also counted in unaryCalls. */
    public final AtomicInteger probeCalls = new AtomicInteger();
    /** min_revision seen on serializable reads. */
    public final List<Long> minRevisions = new CopyOnWriteArrayList<>();
    private final List<StreamObserver<?>> openStreams = new CopyOnWriteArrayList<>();
    private final List<StreamObserver<WatchResponse>> watchStreams = new CopyOnWriteArrayList<>();

    public FakeNode(long id, FakeState state) throws IOException {
        this.id = id;
        this.state = state;
        start(0);
    }

    public String address() {
        return "127.0.0.1:" + port;
    }

    /** A partitioned node: answers nothing and its watch streams get no events. */
    public void partition(boolean on) {
        hang = on;
        if (on) {
            state.frozen.add(id);
        } else {
            state.frozen.remove(id);
        }
    }

    public synchronized void start() throws IOException {
        start(port);
    }

    private void start(int onPort) throws IOException {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", onPort))
                .addService(new Kv()).addService(new Sessions()).addService(new Watches()).addService(new Cluster())
                .build().start();
        port = server.getPort();
        state.members.put(id, address());
    }

    /** Ends every open watch stream with {@code error}, as a node cut off from its leader does. */
    public void endWatchStreams(StatusRuntimeException error) {
        for (StreamObserver<WatchResponse> out : watchStreams) {
            state.unwatch(out, -1);
            synchronized (state) {
                out.onError(error);
            }
        }
        watchStreams.clear();
    }

    /** Stops the node: connections are cut, new ones refused until {@link #start()}. */
    public synchronized void stop() throws InterruptedException {
        if (server != null) {
            server.shutdownNow();
            server.awaitTermination(5, TimeUnit.SECONDS);
            server = null;
        }
        openStreams.clear();
        watchStreams.clear();
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    /** Runs a unary call through the fault switches. */
    private <T> void unary(StreamObserver<T> out, Supplier<T> body, boolean write) {
        unaryCalls.incrementAndGet();
        if (hang) {
            ((ServerCallStreamObserver<T>) out).setOnCancelHandler(heldCallsCancelled::incrementAndGet);
            return;
        }
        if (timeOutAtDeadline) {
            timeOutBeforeDeadline((ServerCallStreamObserver<T>) out);
            return;
        }
        String hint = noLeaderHint;
        if (hint != null) {
            out.onError(Errs.noLeader(hint.isEmpty() ? null : hint));
            return;
        }
        T result;
        try {
            result = body.get();
        } catch (StatusRuntimeException e) {
            out.onError(e);
            return;
        }
        if (write && loseReplies.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            out.onError(Status.UNAVAILABLE.withDescription("connection reset (fake)").asRuntimeException());
            return;
        }
        out.onNext(result);
        out.onCompleted();
    }

    /** The real server's rule: it stops waiting a tenth of the time left (at most 100 ms) before the deadline. */
    private static <T> void timeOutBeforeDeadline(ServerCallStreamObserver<T> out) {
        Deadline deadline = Context.current().getDeadline();
        long left = deadline == null ? 1_000 : deadline.timeRemaining(TimeUnit.MILLISECONDS);
        long wait = Math.max(1, left - Math.min(100, left / 10));
        out.setOnCancelHandler(() -> { });
        CompletableFuture.delayedExecutor(wait, TimeUnit.MILLISECONDS).execute(() -> {
            if (!out.isCancelled()) {
                out.onError(Errs.of(Status.Code.DEADLINE_EXCEEDED, ErrorReason.ERROR_REASON_UNSPECIFIED,
                        "the request did not complete within its deadline (fake)"));
            }
        });
    }

    private final class Kv extends KVGrpc.KVImplBase {
        @Override
        public void create(CreateRequest r, StreamObserver<CreateResponse> out) {
            unary(out, () -> state.write(r.getHeader(), () -> state.create(r, id)), true);
        }

        @Override
        public void set(SetRequest r, StreamObserver<SetResponse> out) {
            unary(out, () -> state.write(r.getHeader(), () -> state.set(r, id)), true);
        }

        @Override
        public void delete(DeleteRequest r, StreamObserver<DeleteResponse> out) {
            unary(out, () -> state.write(r.getHeader(), () -> state.delete(r, id)), true);
        }

        @Override
        public void get(GetRequest r, StreamObserver<GetResponse> out) {
            unary(out, () -> {
                checkLag(r.getConsistency(), r.getMinRevision());
                FakeState.Node n = state.get(r.getPath());
                synchronized (state) {
                    return GetResponse.newBuilder().setHeader(state.header(id))
                            .setData(com.google.protobuf.ByteString.copyFrom(n.data)).setStat(FakeState.stat(n))
                            .build();
                }
            }, false);
        }

        @Override
        public void exists(ExistsRequest r, StreamObserver<ExistsResponse> out) {
            if (r.getPath().equals("/") && r.getConsistency() == Consistency.LINEARIZABLE) {
                probeCalls.incrementAndGet();
            }
            unary(out, () -> {
                checkLag(r.getConsistency(), r.getMinRevision());
                synchronized (state) {
                    FakeState.Node n = state.find(r.getPath());
                    ExistsResponse.Builder b = ExistsResponse.newBuilder().setHeader(state.header(id))
                            .setExists(n != null);
                    if (n != null) {
                        b.setStat(FakeState.stat(n));
                    }
                    return b.build();
                }
            }, false);
        }

        @Override
        public void children(ChildrenRequest r, StreamObserver<ChildrenResponse> out) {
            unary(out, () -> {
                checkLag(r.getConsistency(), r.getMinRevision());
                return state.children(r, id);
            }, false);
        }

        @Override
        public void multi(MultiRequest r, StreamObserver<MultiResponse> out) {
            out.onError(Status.UNIMPLEMENTED.withDescription("the fake has no multi").asRuntimeException());
        }
    }

    private void checkLag(Consistency c, long minRevision) {
        if (c == Consistency.SERIALIZABLE) {
            minRevisions.add(minRevision);
            long lag = lagRevision.get();
            if (lag >= 0 && minRevision > lag) {
                throw Status.DEADLINE_EXCEEDED.withDescription("fake node behind min_revision").asRuntimeException();
            }
        }
    }

    private final class Sessions extends SessionGrpc.SessionImplBase {
        @Override
        public void open(OpenSessionRequest r, StreamObserver<OpenSessionResponse> out) {
            unary(out, () -> state.write(r.getHeader(), () -> {
                long sid = state.openSession(r.getTtlMillis());
                return OpenSessionResponse.newBuilder().setHeader(state.header(id)).setSessionId(sid)
                        .setTtlMillis(r.getTtlMillis()).build();
            }), true);
        }

        @Override
        public void close(CloseSessionRequest r, StreamObserver<CloseSessionResponse> out) {
            unary(out, () -> state.write(r.getHeader(), () -> {
                state.expireSession(r.getSessionId());
                return CloseSessionResponse.newBuilder().setHeader(state.header(id)).build();
            }), true);
        }

        @Override
        public StreamObserver<KeepAliveRequest> keepAlive(StreamObserver<KeepAliveResponse> out) {
            openStreams.add(out);
            return new StreamObserver<>() {
                @Override
                public void onNext(KeepAliveRequest r) {
                    keepAlives.incrementAndGet();
                    if (hang) {
                        return;
                    }
                    Long ttl = state.sessionTtl(r.getSessionId());
                    KeepAliveResponse.Builder b = KeepAliveResponse.newBuilder().setSessionId(r.getSessionId());
                    synchronized (state) {
                        b.setHeader(state.header(id));
                    }
                    if (ttl == null) {
                        b.setExpired(true);
                    } else {
                        b.setTtlMillis(ttl);
                    }
                    synchronized (out) {
                        out.onNext(b.build());
                    }
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                    synchronized (out) {
                        out.onCompleted();
                    }
                }
            };
        }
    }

    private final class Watches extends WatchGrpc.WatchImplBase {
        @Override
        public StreamObserver<WatchRequest> watch(StreamObserver<WatchResponse> out) {
            openStreams.add(out);
            watchStreams.add(out);
            return new StreamObserver<>() {
                @Override
                public void onNext(WatchRequest r) {
                    if (hang) {
                        return;
                    }
                    switch (r.getRequestCase()) {
                        case CREATE -> {
                            watchCreates.incrementAndGet();
                            state.watch(new FakeState.WatchSub(out, r.getCreate().getWatchId(),
                                r.getCreate().getPath(), r.getCreate().getRecursive(), id),
                                r.getCreate().getStartRevision(), id);
                        }
                        case CANCEL -> {
                            state.unwatch(out, r.getCancel().getWatchId());
                            synchronized (state) {
                                out.onNext(WatchResponse.newBuilder().setWatchId(r.getCancel().getWatchId())
                                        .setCanceled(true).build());
                            }
                        }
                        case PROGRESS -> state.progress(out, id);
                        default -> {
                        }
                    }
                }

                @Override
                public void onError(Throwable t) {
                    state.unwatch(out, -1);
                }

                @Override
                public void onCompleted() {
                    state.unwatch(out, -1);
                }
            };
        }
    }

    private final class Cluster extends ClusterGrpc.ClusterImplBase {
        @Override
        public void status(StatusRequest r, StreamObserver<StatusResponse> out) {
            statusCalls.incrementAndGet();
            unary(out, () -> {
                synchronized (state) {
                    return StatusResponse.newBuilder().setHeader(state.header(id)).setId(id).setRole("follower")
                            .setLeaderId(state.leaderId).setClientAddress(address()).build();
                }
            }, false);
        }

        /** Not counted in unaryCalls, so counts of routed calls stay exact; hangs and refuses like the rest. */
        @Override
        public void listMembers(ListMembersRequest r, StreamObserver<ListMembersResponse> out) {
            listMembersCalls.incrementAndGet();
            if (hang) {
                return;
            }
            if (!state.listMembers) {
                out.onError(Status.UNIMPLEMENTED.withDescription("the fake serves no member list").asRuntimeException());
                return;
            }
            ListMembersResponse.Builder b = ListMembersResponse.newBuilder().setHeader(state.header(id))
                    .setLeaderId(state.leaderId);
            state.members.forEach((memberId, address) -> b.addMembers(Member.newBuilder().setId(memberId)
                    .setClientAddress(address).setRole(memberId == state.leaderId ? "leader" : "follower")));
            out.onNext(b.build());
            out.onCompleted();
        }
    }
}
