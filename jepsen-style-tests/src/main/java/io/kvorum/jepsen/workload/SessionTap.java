package io.kvorum.jepsen.workload;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.kvorum.client.ChannelFactory;
import io.kvorum.jepsen.run.Call;
import io.kvorum.jepsen.run.ProcessSlot;
import io.kvorum.jepsen.run.RunContext;
import io.kvorum.proto.v1.CloseSessionRequest;
import io.kvorum.proto.v1.KeepAliveRequest;
import io.kvorum.proto.v1.KeepAliveResponse;
import io.kvorum.proto.v1.SessionGrpc;
import java.net.ConnectException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;

/**
 * Sits in one session client's gRPC channels, where kv-client's own keep-alive loop can be seen:
 * <ul>
 *   <li>each keep-alive request is recorded as a {@code keepalive} operation when it is sent,
 *       ok when answered, fail when the answer says the session expired, info when its stream
 *       ends first (the checker needs every request: an unrecorded one could keep a session
 *       alive that it believes dead);
 *   <li>a Close answered OK is noted, since {@code Session.close()} returns either way;
 *   <li>{@link #sever} cuts the client off from the cluster at once, like a client machine
 *       dying: its session is abandoned without a close, and nothing it tries later leaves.
 * </ul>
 * Keep-alives are recorded on their own processes (the actor's process is busy with its own
 * operations); a keep-alive that ended info retires its process, as any other.
 */
final class SessionTap implements ClientInterceptor {
    private static final String KEEP_ALIVE = SessionGrpc.getKeepAliveMethod().getFullMethodName();
    private static final String CLOSE = SessionGrpc.getCloseMethod().getFullMethodName();

    private final RunContext ctx;
    private final Deque<ProcessSlot> idle = new ArrayDeque<>();
    private final Set<ClientCall<?, ?>> live = ConcurrentHashMap.newKeySet();
    private final Set<Long> confirmedCloses = ConcurrentHashMap.newKeySet();
    private volatile boolean severed;

    SessionTap(RunContext ctx) {
        this.ctx = ctx;
    }

    ChannelFactory channels() {
        return address -> Grpc.newChannelBuilder(address, InsecureChannelCredentials.create())
                .maxInboundMessageSize(16 << 20).intercept(this).build();
    }

    /** Cuts the client off: calls in flight are cancelled, new ones fail without leaving. */
    void sever() {
        severed = true;
        for (ClientCall<?, ?> c : live) {
            c.cancel("client cut off by the test", null);
        }
    }

    /** Whether a Close of {@code session} was answered OK. */
    boolean closeConfirmed(long session) {
        return confirmedCloses.contains(session);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        if (severed) {
            return new Severed<>();
        }
        ClientCall<Q, R> call = next.newCall(method, options);
        String name = method.getFullMethodName();
        if (name.equals(KEEP_ALIVE)) {
            return (ClientCall<Q, R>) new KeepAlives((ClientCall<KeepAliveRequest, KeepAliveResponse>) call);
        }
        if (name.equals(CLOSE)) {
            return new Close<>(call);
        }
        return new Tracked<>(call);
    }

    private synchronized ProcessSlot takeSlot() {
        ProcessSlot s = idle.pollFirst();
        return s != null ? s : ctx.slot();
    }

    private synchronized void returnSlot(ProcessSlot s) {
        idle.addFirst(s);
    }

    /** A call that can be cancelled by {@link #sever}. */
    private class Tracked<Q, R> extends ForwardingClientCall.SimpleForwardingClientCall<Q, R> {
        Tracked(ClientCall<Q, R> delegate) {
            super(delegate);
        }

        @Override
        public void start(Listener<R> listener, Metadata headers) {
            live.add(this);
            super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                @Override
                public void onMessage(R message) {
                    received(message);
                    super.onMessage(message);
                }

                @Override
                public void onClose(Status status, Metadata trailers) {
                    live.remove(Tracked.this);
                    closed(status);
                    super.onClose(status, trailers);
                }
            }, headers);
            if (severed) {
                cancel("client cut off by the test", null);
            }
        }

        void received(R message) {
        }

        void closed(Status status) {
        }
    }

    /** The keep-alive stream: requests are answered in order. */
    private final class KeepAlives extends Tracked<KeepAliveRequest, KeepAliveResponse> {
        private record Pending(ProcessSlot slot, Call call, long session) {
        }

        private final Deque<Pending> pending = new ArrayDeque<>();

        KeepAlives(ClientCall<KeepAliveRequest, KeepAliveResponse> delegate) {
            super(delegate);
        }

        @Override
        public void sendMessage(KeepAliveRequest r) {
            ProcessSlot slot = takeSlot();
            synchronized (pending) {
                pending.addLast(new Pending(slot, ctx.invoke(slot, "keepalive", null, r.getSessionId()),
                        r.getSessionId()));
            }
            super.sendMessage(r);
        }

        @Override
        void received(KeepAliveResponse r) {
            synchronized (pending) {
                Pending p = pending.pollFirst();
                if (p == null) {
                    return;
                }
                if (r.getExpired()) {
                    p.call.fail(p.session, "the cluster says the session expired");
                } else {
                    p.call.ok(p.session);
                }
                returnSlot(p.slot);
            }
        }

        @Override
        void closed(Status status) {
            synchronized (pending) {
                for (Pending p = pending.pollFirst(); p != null; p = pending.pollFirst()) {
                    p.call.info(p.session, "keep-alive stream ended unanswered: " + status.getCode() + " "
                            + status.getDescription());
                    returnSlot(p.slot);
                }
            }
        }
    }

    private final class Close<Q, R> extends Tracked<Q, R> {
        private volatile long session;

        Close(ClientCall<Q, R> delegate) {
            super(delegate);
        }

        @Override
        public void sendMessage(Q message) {
            session = ((CloseSessionRequest) message).getSessionId();
            super.sendMessage(message);
        }

        @Override
        void closed(Status status) {
            if (status.isOk()) {
                confirmedCloses.add(session); // before kv-client's listener completes its close future
            }
        }
    }

    /** What a severed client gets: a call that fails at once without sending anything. */
    private static final class Severed<Q, R> extends ClientCall<Q, R> {
        @Override
        public void start(Listener<R> listener, Metadata headers) {
            Status cut = Status.UNAVAILABLE.withDescription("client cut off by the test")
                    .withCause(new ConnectException("client cut off by the test"));
            ForkJoinPool.commonPool().execute(() -> listener.onClose(cut, new Metadata()));
        }

        @Override
        public void request(int numMessages) {
        }

        @Override
        public void cancel(String message, Throwable cause) {
        }

        @Override
        public void halfClose() {
        }

        @Override
        public void sendMessage(Q message) {
        }
    }
}
