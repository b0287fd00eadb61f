package io.kvorum.server.api;

import io.grpc.Context;
import java.net.SocketAddress;

/**
 * Who a request of a front end other than gRPC (the HTTP/JSON API) acts as, as
 * {@link CallerAccess} identified it. {@link #run} runs the request's work with the identity
 * where the gRPC port's {@link AccessInterceptor} puts a call's: the rights checks of
 * {@link ClientCalls}, session ownership and the audit log then see the same user either way.
 */
public final class Caller {
    private final String user;
    private final SocketAddress remote;

    private Caller(String user, SocketAddress remote) {
        this.user = user;
        this.remote = remote;
    }

    static Caller of(String user, SocketAddress remote) {
        return new Caller(user, remote);
    }

    /**
     * A caller without credentials: allowed everything while auth is disabled; while it is
     * enabled, only what needs no identity (logging in), everything else UNAUTHENTICATED.
     */
    public static Caller anonymous(SocketAddress remote) {
        return new Caller(null, remote);
    }

    /** The user, or null for an anonymous caller. */
    public String user() {
        return user;
    }

    /** Work done as a caller; it may throw {@code E}. */
    @FunctionalInterface
    public interface Action<E extends Exception> {
        void run() throws E;
    }

    /** Runs {@code action} on this thread as this caller. */
    public <E extends Exception> void run(Action<E> action) throws E {
        Context ctx = Context.current().withValue(AccessInterceptor.REMOTE, remote);
        if (user != null) {
            ctx = ctx.withValue(AccessInterceptor.USER, user);
        }
        Context previous = ctx.attach();
        try {
            action.run();
        } finally {
            ctx.detach(previous);
        }
    }
}
