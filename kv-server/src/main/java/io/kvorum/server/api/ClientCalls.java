package io.kvorum.server.api;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import io.kvorum.proto.v1.AuthGrpc;
import io.kvorum.proto.v1.AuthenticateRequest;
import io.kvorum.proto.v1.AuthenticateResponse;
import io.kvorum.proto.v1.ChildrenRequest;
import io.kvorum.proto.v1.ChildrenResponse;
import io.kvorum.proto.v1.CloseSessionRequest;
import io.kvorum.proto.v1.CloseSessionResponse;
import io.kvorum.proto.v1.CreateRequest;
import io.kvorum.proto.v1.CreateResponse;
import io.kvorum.proto.v1.DeleteRequest;
import io.kvorum.proto.v1.DeleteResponse;
import io.kvorum.proto.v1.ErrorReason;
import io.kvorum.proto.v1.GetRequest;
import io.kvorum.proto.v1.GetResponse;
import io.kvorum.proto.v1.KVGrpc;
import io.kvorum.proto.v1.KeepAliveRequest;
import io.kvorum.proto.v1.KeepAliveResponse;
import io.kvorum.proto.v1.MultiRequest;
import io.kvorum.proto.v1.MultiResponse;
import io.kvorum.proto.v1.OpenSessionRequest;
import io.kvorum.proto.v1.OpenSessionResponse;
import io.kvorum.proto.v1.SetRequest;
import io.kvorum.proto.v1.SessionGrpc;
import io.kvorum.proto.v1.SetResponse;
import io.kvorum.proto.v1.WatchRequest;
import io.kvorum.server.state.StateLimits;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;

/**
 * The client API's calls as futures, for front ends other than gRPC (the HTTP/JSON API). Each
 * call runs the very handler the gRPC service runs (validation, raft proposal, read gate, error
 * mapping), so every front end shares the data model, consistency and error reasons; only the
 * transport differs. Writes that add data are refused over the space quota exactly as the gRPC
 * port's {@link QuotaInterceptor} refuses them. A failed future carries the status a gRPC client
 * would get; {@link #describe} turns it into an {@link ApiError}.
 *
 * <p>Each call is checked as the gRPC port checks it, against the caller of the current
 * context ({@link Caller#run}): the rights of {@link AccessInterceptor} (an anonymous caller is
 * refused UNAUTHENTICATED while auth is enabled), then reads and writes pass the same
 * {@link Admission} in-flight limits as gRPC calls (OVERLOADED with a retry hint beyond them).
 * {@link #trusted()} skips both, for the server's own duties.
 */
public final class ClientCalls {
    private final KvService kv;
    private final SessionService sessions;
    private final WatchService watches;
    private final Errors errors;
    private final SpaceQuota quota;
    private final StateLimits limits;
    private final Duration defaultDeadline;
    private final BooleanSupplier leads;
    private final AuthService auth;
    /** The callers' rights; null: calls are not checked (the server's own). */
    private final AccessInterceptor rights;
    /** The in-flight limits of reads and writes; null: not limited (the server's own). */
    private final Admission admission;

    /** What a call is, for its rights, audit line and admission. */
    private enum Load { READ, WRITE, OTHER }

    ClientCalls(KvService kv, SessionService sessions, WatchService watches, AuthService auth, Errors errors,
                SpaceQuota quota, StateLimits limits, Duration defaultDeadline, BooleanSupplier leads,
                AccessInterceptor rights, Admission admission) {
        this.kv = kv;
        this.sessions = sessions;
        this.watches = watches;
        this.auth = auth;
        this.errors = errors;
        this.quota = quota;
        this.limits = limits;
        this.defaultDeadline = defaultDeadline;
        this.leads = leads;
        this.rights = rights;
        this.admission = admission;
    }

    /**
     * The same calls, unchecked and not admission-limited: for duties the server runs itself
     * (health checks of the service catalog), never for a caller's request.
     */
    public ClientCalls trusted() {
        return new ClientCalls(kv, sessions, watches, auth, errors, quota, limits, defaultDeadline, leads, null,
                null);
    }

    /** Whether this node leads the cluster now (for duties one node runs at a time). */
    public boolean leads() {
        return leads.getAsBoolean();
    }

    /** The largest request this node takes, in bytes (a front end caps request bodies by it). */
    public int maxRequestBytes() {
        return limits.maxRequestBytes();
    }

    public CompletableFuture<CreateResponse> create(CreateRequest r) {
        return unary(KVGrpc.getCreateMethod().getFullMethodName(), Load.WRITE, r, kv::create);
    }

    public CompletableFuture<SetResponse> set(SetRequest r) {
        return unary(KVGrpc.getSetMethod().getFullMethodName(), Load.WRITE, r, kv::set);
    }

    public CompletableFuture<DeleteResponse> delete(DeleteRequest r) {
        return unary(KVGrpc.getDeleteMethod().getFullMethodName(), Load.WRITE, r, kv::delete);
    }

    public CompletableFuture<MultiResponse> multi(MultiRequest r) {
        return unary(KVGrpc.getMultiMethod().getFullMethodName(), Load.WRITE, r, kv::multi);
    }

    public CompletableFuture<GetResponse> get(GetRequest r) {
        return unary(KVGrpc.getGetMethod().getFullMethodName(), Load.READ, r, kv::get);
    }

    public CompletableFuture<ChildrenResponse> children(ChildrenRequest r) {
        return unary(KVGrpc.getChildrenMethod().getFullMethodName(), Load.READ, r, kv::children);
    }

    public CompletableFuture<OpenSessionResponse> openSession(OpenSessionRequest r) {
        return unary(SessionGrpc.getOpenMethod().getFullMethodName(), Load.WRITE, r, sessions::open);
    }

    public CompletableFuture<CloseSessionResponse> closeSession(CloseSessionRequest r) {
        return unary(SessionGrpc.getCloseMethod().getFullMethodName(), Load.WRITE, r, sessions::close);
    }

    /**
     * Checks a user's password and issues a token, as the Auth service's Authenticate: after a
     * linearizable barrier, slowed down per user after failures, audited.
     */
    public CompletableFuture<AuthenticateResponse> authenticate(AuthenticateRequest r) {
        return unary(AuthGrpc.getAuthenticateMethod().getFullMethodName(), Load.OTHER, r, auth::authenticate);
    }

    /**
     * Whether session {@code id} is open in the state this node has applied. On the leader,
     * which decides expiry, a session missing here has expired or was closed, provided the
     * caller saw the session's id in a node this state already holds (its open came first).
     */
    public boolean sessionLives(long id) {
        return sessions.lives(id);
    }

    /**
     * One keep-alive, as one request on a KeepAlive stream: answered once the touch is
     * replicated, or with {@code expired} for a session that is gone. No answer within the
     * default deadline (no quorum heard the touch) fails with DEADLINE_EXCEEDED.
     */
    public CompletableFuture<KeepAliveResponse> keepAlive(long sessionId) {
        KeepAliveRequest request = KeepAliveRequest.newBuilder().setSessionId(sessionId).build();
        StatusRuntimeException refused = refusal(SessionGrpc.getKeepAliveMethod().getFullMethodName(), request);
        if (refused != null) {
            return CompletableFuture.failedFuture(refused);
        }
        FutureObserver<KeepAliveResponse> answer = new FutureObserver<>();
        StreamObserver<KeepAliveRequest> stream = sessions.keepAlive(answer);
        stream.onNext(request);
        return answer.future.orTimeout(defaultDeadline.toMillis(), TimeUnit.MILLISECONDS)
                .exceptionallyCompose(e -> CompletableFuture.failedFuture(errors.toStatus(e)))
                .whenComplete((v, e) -> stream.onCompleted());
    }

    /**
     * Opens a watch stream whose responses go to {@code sink}: the gRPC Watch service's own
     * stream, with the sink standing in for the gRPC call. Send it {@link WatchRequest}s through
     * {@link LocalWatch#send}; close it when done. Each request is checked against the rights
     * of the current context's caller, and the stream ends PERMISSION_DENIED when a right it
     * uses is revoked.
     */
    public LocalWatch watch(LocalWatch.Sink sink) {
        LocalWatch w = new LocalWatch(sink, this::describe, rights == null ? LocalWatch.Check.NONE
                : rights.localWatchCheck());
        w.attach(watches.watch(w.call()));
        return w;
    }

    /** What a failure looks like to a client: the gRPC status's code, reason, message and metadata. */
    public ApiError describe(Throwable failure) {
        StatusRuntimeException s = errors.toStatus(failure);
        ErrorReason reason = ErrorReason.ERROR_REASON_UNSPECIFIED;
        Map<String, String> metadata = Map.of();
        com.google.rpc.Status st = StatusProto.fromThrowable(s);
        if (st != null) {
            for (Any any : st.getDetailsList()) {
                if (any.is(ErrorInfo.class)) {
                    try {
                        ErrorInfo info = any.unpack(ErrorInfo.class);
                        reason = reasonNamed(info.getReason());
                        metadata = info.getMetadataMap();
                    } catch (InvalidProtocolBufferException e) {
                        // our own detail: it always unpacks
                    }
                }
            }
        }
        String message = s.getStatus().getDescription();
        return new ApiError(s.getStatus().getCode().name(), reason, message == null ? "" : message, metadata);
    }

    private static ErrorReason reasonNamed(String name) {
        try {
            return ErrorReason.valueOf(name);
        } catch (IllegalArgumentException e) {
            return ErrorReason.ERROR_REASON_UNSPECIFIED;
        }
    }

    /**
     * Runs a unary gRPC handler with a future standing in for its response observer, once the
     * caller's rights, the space quota and admission let it through, as the gRPC port's
     * interceptors would.
     */
    private <Q, T> CompletableFuture<T> unary(String op, Load load, Q request, BiConsumer<Q, StreamObserver<T>> handler) {
        StatusRuntimeException refused = refusal(op, request);
        if (refused != null) {
            return CompletableFuture.failedFuture(refused);
        }
        if (quota.exceeded() && QuotaInterceptor.addsData(request)) {
            return CompletableFuture.failedFuture(QuotaInterceptor.refusal(quota));
        }
        Runnable permit = () -> { };
        if (admission != null && load != Load.OTHER) {
            try {
                permit = admission.admit(load == Load.READ);
            } catch (StatusRuntimeException overloaded) {
                return CompletableFuture.failedFuture(overloaded);
            }
        }
        FutureObserver<T> answer = new FutureObserver<>();
        try {
            handler.accept(request, answer);
        } catch (RuntimeException e) {
            answer.future.completeExceptionally(errors.toStatus(e));
        }
        Runnable release = permit;
        answer.future.whenComplete((v, e) -> release.run());
        return answer.future;
    }

    /** Null when the current context's caller may send {@code request}, else the refusal (audited). */
    private StatusRuntimeException refusal(String op, Object request) {
        return rights == null ? null : rights.refusal(op, request);
    }

    /** A response observer that completes a future with the first answer or the error. */
    private static final class FutureObserver<T> implements StreamObserver<T> {
        final CompletableFuture<T> future = new CompletableFuture<>();

        @Override
        public void onNext(T value) {
            future.complete(value);
        }

        @Override
        public void onError(Throwable t) {
            future.completeExceptionally(t);
        }

        @Override
        public void onCompleted() {
            future.completeExceptionally(new IllegalStateException("the call ended without an answer"));
        }
    }
}
