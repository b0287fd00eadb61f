package io.kvorum.server.api;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusRuntimeException;
import io.kvorum.proto.health.v1.HealthGrpc;
import io.kvorum.proto.v1.ErrorReason;
import io.kvorum.proto.v1.KeepAliveRequest;
import io.kvorum.proto.v1.WatchCreate;
import io.kvorum.proto.v1.WatchRequest;
import io.kvorum.proto.v1.WatchResponse;
import io.kvorum.server.auth.AccessControl;
import io.kvorum.server.auth.Audit;
import io.kvorum.server.auth.AuthView;
import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.LongFunction;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Authentication and authorization of every call on the client port, without the services
 * knowing: while auth is enabled a call must carry a valid token ({@code authorization: Bearer})
 * or a client certificate naming a user, else it is closed UNAUTHENTICATED; then every request
 * message (each one of a stream) is checked by {@link RequestRights} as it arrives, before the
 * service sees it, and a denied one closes the call PERMISSION_DENIED. Rights are read from the
 * current {@link AuthView}, so a revoked right stops the next request; each response of a watch
 * stream loses the events the user may not read at the moment it is sent ({@link #visible}); open
 * watch streams are re-checked on every auth change and closed PERMISSION_DENIED when a watch
 * they hold has nothing left the user may read. Admin operations, denials and failed authentications go to {@link Audit}.
 */
final class AccessInterceptor implements ServerInterceptor, BatchStream.ItemCheck {
    /** The user a call acts as; absent while auth is disabled. */
    static final Context.Key<String> USER = Context.key("kvorum-user");
    /** The caller's address, for the audit lines of checks made inside a call (Batch items). */
    static final Context.Key<SocketAddress> REMOTE = Context.key("kvorum-remote");
    static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final String BEARER = "Bearer ";

    private final AccessControl access;
    /** The user who opened a live session (null: unknown here, or opened without a user). */
    private final LongFunction<String> sessionOwners;
    /** Break-glass mode: checks are off on this node (loopback only; see ClientSecurity). */
    private final boolean bypass;
    private final Set<WatchGuard<?, ?>> watches = ConcurrentHashMap.newKeySet();
    private final Set<LocalWatchGuard> localWatches = ConcurrentHashMap.newKeySet();

    AccessInterceptor(AccessControl access, LongFunction<String> sessionOwners, Executor executor, boolean bypass) {
        this.access = access;
        this.sessionOwners = sessionOwners;
        this.bypass = bypass;
        access.onChange(() -> executor.execute(this::recheckWatches));
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        AuthView v = bypass ? AuthView.DISABLED : access.view();
        String op = call.getMethodDescriptor().getFullMethodName();
        SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
        String user = null;
        if (v.enabled()) {
            try {
                user = access.identify(v, bearer(headers), clientCertificate(call));
            } catch (AccessControl.AuthFailure f) {
                if (!isPublicMethod(op)) {
                    Audit.authFailure(f.user(), op, f.getMessage(), remote);
                    close(call, Errors.of(ErrorReason.UNAUTHENTICATED, f.getMessage()));
                    return new ServerCall.Listener<>() { };
                }
            }
        }
        CloseOnceCall<Q, R> guarded = new CloseOnceCall<>(call);
        Context ctx = Context.current().withValue(REMOTE, remote);
        if (user != null) {
            ctx = ctx.withValue(USER, user);
        }
        if (op.equals("kvorum.v1.Watch/Watch")) {
            // Auth off when the call began (user null): nothing to filter, and the stream is
            // closed UNAUTHENTICATED on the auth change that turns it on.
            ServerCall<Q, R> served = user == null ? guarded : new FilteredWatchCall<>(guarded, user);
            return new WatchGuard<>(Contexts.interceptCall(ctx, served, headers, next), guarded, user, op, remote);
        }
        ServerCall.Listener<Q> inner = Contexts.interceptCall(ctx, guarded, headers, next);
        return new Checking<>(inner, guarded, user, op, remote);
    }

    /**
     * A Batch item is checked as its unary call would be, when the stream dispatches it (the
     * stream itself only had to be authenticated): null if allowed, else the same status the
     * unary call gets, audited the same way. Runs inside the stream's call context.
     */
    @Override
    public StatusRuntimeException refusal(String op, Object request) {
        AuthView v = bypass ? AuthView.DISABLED : access.view();
        if (!v.enabled() || RequestRights.isPublic(request)) {
            return null;
        }
        String user = USER.get();
        if (user == null) {
            String reason = "auth is enabled: authenticate (a token, a user and password, or a client certificate "
                    + "whose common name is a user)";
            Audit.authFailure("", op, reason, REMOTE.get());
            return Errors.of(ErrorReason.UNAUTHENTICATED, reason);
        }
        RequestRights.Denial d = RequestRights.check(v, user, request);
        if (d == null && request instanceof KeepAliveRequest k) {
            d = keepAliveRefusal(user, k.getSessionId());
        }
        if (d == null) {
            return null;
        }
        Audit.denied(user, op, d.path(), d.reason(), REMOTE.get());
        return Errors.of(ErrorReason.PERMISSION_DENIED, d.reason(), "path", d.path());
    }

    /** Logging in, asking whether auth is on, and health probes (which carry no credentials). */
    private static boolean isPublicMethod(String op) {
        return op.equals("kvorum.v1.Auth/Authenticate") || op.equals("kvorum.v1.Auth/AuthStatus")
                || op.startsWith(HealthGrpc.SERVICE_NAME + "/");
    }

    private static String bearer(Metadata headers) {
        String h = headers.get(AUTHORIZATION);
        if (h == null) {
            return null;
        }
        return h.regionMatches(true, 0, BEARER, 0, BEARER.length()) ? h.substring(BEARER.length()).trim() : h.trim();
    }

    private static X509Certificate clientCertificate(ServerCall<?, ?> call) {
        SSLSession s = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        if (s == null) {
            return null;
        }
        try {
            Certificate[] chain = s.getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate x ? x : null;
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }

    private static void close(ServerCall<?, ?> call, StatusRuntimeException e) {
        call.close(e.getStatus(), e.getTrailers() != null ? e.getTrailers() : new Metadata());
    }

    /**
     * A session belongs to the user who opened it. Closing it and creating ephemerals in it are
     * refused at apply (state.Sessions); keep-alives never reach the log one by one, so they are
     * checked here, against this node's applied state.
     */
    private RequestRights.Denial keepAliveRefusal(String user, long sessionId) {
        String owner = sessionOwners.apply(sessionId);
        return owner == null || owner.equals(user) ? null : new RequestRights.Denial("", "user " + user
                + " may not keep session " + sessionId + " alive: another user opened it");
    }

    /**
     * The one filter of what a watch delivers, for gRPC Watch calls and in-process watches (HTTP
     * event streams and blocking queries) alike: {@code r} checked against {@code user}'s rights
     * now (see {@link RequestRights#visible}); null means send nothing.
     */
    private WatchResponse visible(String user, WatchResponse r) {
        return bypass ? r : RequestRights.visible(access.view(), user, r);
    }

    /** A Watch call's responses as the service sends them, each filtered by {@link #visible}. */
    private final class FilteredWatchCall<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
        private final String user;

        FilteredWatchCall(ServerCall<Q, R> call, String user) {
            super(call);
            this.user = user;
        }

        @Override
        @SuppressWarnings("unchecked")
        public void sendMessage(R message) {
            R shown = message instanceof WatchResponse r ? (R) visible(user, r) : message;
            if (shown != null) {
                super.sendMessage(shown);
            }
        }
    }

    private void recheckWatches() {
        if (bypass) {
            return;
        }
        AuthView v = access.view();
        for (WatchGuard<?, ?> w : watches) {
            w.recheck(v);
        }
        for (LocalWatchGuard w : localWatches) {
            w.recheck(v);
        }
    }

    /**
     * The check of a watch stream driven from inside the server for the caller of the current
     * context (an HTTP blocking query or event stream): as a gRPC Watch call's, each create as
     * it is sent and all of them again on every auth change.
     */
    LocalWatch.Check localWatchCheck() {
        return new LocalWatchGuard(USER.get(), REMOTE.get());
    }

    private final class LocalWatchGuard implements LocalWatch.Check {
        private final String user;
        private final SocketAddress remote;
        private final List<WatchCreate> creates = new CopyOnWriteArrayList<>();
        private volatile LocalWatch watch;

        LocalWatchGuard(String user, SocketAddress remote) {
            this.user = user;
            this.remote = remote;
        }

        @Override
        public void started(LocalWatch w) {
            watch = w;
            localWatches.add(this);
        }

        @Override
        public StatusRuntimeException refusal(WatchRequest r) {
            AuthView v = bypass ? AuthView.DISABLED : access.view();
            if (v.enabled()) {
                if (user == null) {
                    String reason = "auth is enabled: authenticate to watch";
                    Audit.authFailure("", "kvorum.v1.Watch/Watch", reason, remote);
                    return Errors.of(ErrorReason.UNAUTHENTICATED, reason);
                }
                RequestRights.Denial d = RequestRights.check(v, user, r);
                if (d != null) {
                    Audit.denied(user, "kvorum.v1.Watch/Watch", d.path(), d.reason(), remote);
                    return Errors.of(ErrorReason.PERMISSION_DENIED, d.reason(), "path", d.path());
                }
            }
            if (r.hasCreate()) {
                creates.add(r.getCreate());
            } else if (r.hasCancel()) {
                creates.removeIf(c -> c.getWatchId() == r.getCancel().getWatchId());
            }
            return null;
        }

        @Override
        public void ended() {
            localWatches.remove(this);
        }

        @Override
        public WatchResponse visible(WatchResponse r) {
            // Auth off when the stream began (user null): as for a gRPC call, nothing to filter.
            return user == null ? r : AccessInterceptor.this.visible(user, r);
        }

        void recheck(AuthView v) {
            LocalWatch w = watch;
            if (w == null || !v.enabled()) {
                return;
            }
            for (WatchCreate c : creates) {
                RequestRights.Denial d = user == null ? new RequestRights.Denial(c.getPath(), "auth was enabled")
                        : v.user(user) == null ? new RequestRights.Denial(c.getPath(), "user " + user + " was deleted")
                        : RequestRights.watch(v, user, c);
                if (d != null) {
                    localWatches.remove(this);
                    String reason = d.reason() + "; the right was revoked while watching";
                    Audit.denied(user == null ? "" : user, "kvorum.v1.Watch/Watch", d.path(), reason, remote);
                    w.revoke(user == null ? Errors.of(ErrorReason.UNAUTHENTICATED, reason)
                            : Errors.of(ErrorReason.PERMISSION_DENIED, reason, "path", d.path()));
                    return;
                }
            }
        }
    }

    /** Checks each request; after a denial the service sees nothing more but a cancel. */
    private class Checking<Q, R> extends ForwardingServerCallListener.SimpleForwardingServerCallListener<Q> {
        final CloseOnceCall<Q, R> call;
        final String user;
        final String op;
        final SocketAddress remote;
        volatile boolean denied;
        private volatile Object adminRequest;

        Checking(ServerCall.Listener<Q> inner, CloseOnceCall<Q, R> call, String user, String op, SocketAddress remote) {
            super(inner);
            this.call = call;
            this.user = user;
            this.op = op;
            this.remote = remote;
        }

        @Override
        public void onMessage(Q message) {
            if (denied) {
                return;
            }
            AuthView v = bypass ? AuthView.DISABLED : access.view();
            if (v.enabled() && user == null && !RequestRights.isPublic(message)) {
                // The call began before auth was enabled.
                unauthenticated();
                return;
            }
            if (v.enabled() && user != null) {
                RequestRights.Denial d = RequestRights.check(v, user, message);
                if (d == null && message instanceof KeepAliveRequest k) {
                    d = keepAliveRefusal(user, k.getSessionId());
                }
                if (d != null) {
                    deny(d);
                    return;
                }
            }
            if (RequestRights.isAdminOp(message)) {
                adminRequest = message;
            }
            admitted(message);
            super.onMessage(message);
        }

        void admitted(Q message) {
        }

        void deny(RequestRights.Denial d) {
            Audit.denied(user, op, d.path(), d.reason(), remote);
            end(Errors.of(ErrorReason.PERMISSION_DENIED, d.reason(), "path", d.path()));
        }

        void unauthenticated() {
            String reason = "auth was enabled: authenticate and call again";
            Audit.authFailure("", op, reason, remote);
            end(Errors.of(ErrorReason.UNAUTHENTICATED, reason));
        }

        /** Closes the call and tells the service it was cancelled, so it lets go of it. */
        private void end(StatusRuntimeException e) {
            denied = true;
            if (call.closeIfOpen(e)) {
                super.onCancel();
            }
        }

        @Override
        public void onHalfClose() {
            if (!denied) {
                super.onHalfClose();
            }
        }

        @Override
        public void onComplete() {
            auditAdmin("OK");
            if (!denied) {
                super.onComplete();
            }
        }

        @Override
        public void onCancel() {
            auditAdmin("CANCELLED");
            if (!denied) {
                super.onCancel();
            }
        }

        private void auditAdmin(String result) {
            Object r = adminRequest;
            if (r != null) {
                adminRequest = null;
                Audit.adminOp(user, op, RequestRights.describe(r), result, remote);
            }
        }
    }

    /** A watch stream: remembers what it watches, to close it if the right to read goes. */
    private final class WatchGuard<Q, R> extends Checking<Q, R> {
        private final List<WatchCreate> creates = new CopyOnWriteArrayList<>();

        WatchGuard(ServerCall.Listener<Q> inner, CloseOnceCall<Q, R> call, String user, String op, SocketAddress remote) {
            super(inner, call, user, op, remote);
            watches.add(this);
        }

        @Override
        void admitted(Q message) {
            WatchRequest r = (WatchRequest) message;
            if (r.hasCreate()) {
                creates.add(r.getCreate());
            } else if (r.hasCancel()) {
                creates.removeIf(c -> c.getWatchId() == r.getCancel().getWatchId());
            }
        }

        void recheck(AuthView v) {
            if (denied || !v.enabled()) {
                return;
            }
            if (user == null) {
                watches.remove(this);
                unauthenticated();
                return;
            }
            for (WatchCreate c : creates) {
                RequestRights.Denial d = v.user(user) == null
                        ? new RequestRights.Denial(c.getPath(), "user " + user + " was deleted")
                        : RequestRights.watch(v, user, c);
                if (d != null) {
                    watches.remove(this);
                    deny(new RequestRights.Denial(d.path(), d.reason() + "; the right was revoked while watching"));
                    return;
                }
            }
        }

        @Override
        public void onComplete() {
            watches.remove(this);
            super.onComplete();
        }

        @Override
        public void onCancel() {
            watches.remove(this);
            super.onCancel();
        }
    }
}
