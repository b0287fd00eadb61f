package io.kvorum.client;

import io.grpc.CallCredentials;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kvorum.proto.v1.AuthGrpc;
import io.kvorum.proto.v1.AuthenticateRequest;
import io.kvorum.proto.v1.AuthenticateResponse;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Logs in with a user name and password and sends the token with every call
 * ({@code authorization: Bearer}). The token is fetched on first use and renewed once half its
 * lifetime has passed; one the server refuses (UNAUTHENTICATED: expired early, password
 * changed) is dropped so the next call logs in again. Against a cluster where auth is off,
 * calls go without a token. Shared by the channels of one client: a token is valid on every node.
 */
final class TokenCredentials implements ClientInterceptor {
    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final long AUTH_OFF_RECHECK_MILLIS = 30_000;

    private final String user;
    private final String password;
    private String token;
    private long renewAtMillis;
    private long authOffUntilMillis;

    TokenCredentials(String user, String password) {
        this.user = user;
        this.password = password;
    }

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        if (method.getFullMethodName().equals(AuthGrpc.getAuthenticateMethod().getFullMethodName())) {
            return next.newCall(method, options);
        }
        CallOptions withToken = options.withCallCredentials(new CallCredentials() {
            @Override
            public void applyRequestMetadata(RequestInfo info, Executor appExecutor, MetadataApplier applier) {
                appExecutor.execute(() -> {
                    try {
                        String t = token(next);
                        Metadata md = new Metadata();
                        if (t != null) {
                            md.put(AUTHORIZATION, "Bearer " + t);
                        }
                        applier.apply(md);
                    } catch (StatusRuntimeException e) {
                        applier.fail(e.getStatus());
                    } catch (RuntimeException e) {
                        applier.fail(Status.UNAUTHENTICATED.withDescription("login as " + user + " failed: " + e)
                                .withCause(e));
                    }
                });
            }
        });
        return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, withToken)) {
            @Override
            public void start(Listener<R> listener, Metadata headers) {
                super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                    @Override
                    public void onClose(Status status, Metadata trailers) {
                        if (status.getCode() == Status.Code.UNAUTHENTICATED) {
                            invalidate();
                        }
                        super.onClose(status, trailers);
                    }
                }, headers);
            }
        };
    }

    /** The token to send, logging in when there is none or it is half-way to expiry; null when auth is off. */
    private synchronized String token(Channel channel) {
        long now = System.currentTimeMillis();
        if (now < authOffUntilMillis) {
            return null;
        }
        if (token != null && now < renewAtMillis) {
            return token;
        }
        AuthenticateResponse r;
        try {
            r = AuthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .authenticate(AuthenticateRequest.newBuilder().setUser(user).setPassword(password).build());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.FAILED_PRECONDITION && String.valueOf(e.getMessage())
                    .contains("auth is not enabled")) {
                authOffUntilMillis = now + AUTH_OFF_RECHECK_MILLIS;
                token = null;
                return null;
            }
            throw e;
        }
        token = r.getToken();
        renewAtMillis = now + Math.max(0, (r.getExpiresAtMillis() - now) / 2);
        return token;
    }

    private synchronized void invalidate() {
        token = null;
        authOffUntilMillis = 0;
    }
}
