package io.kvorum.client;

import java.time.Duration;
import java.util.Objects;

/**
 * Per-call options. Immutable: each {@code with...} returns a copy. Options a call does not use
 * are ignored (a read has no session; a write has no consistency).
 *
 * <pre>{@code
 * client.get("/config", RequestOptions.serializable().withDeadline(Duration.ofMillis(200)));
 * }</pre>
 */
public final class RequestOptions {
    /** The client's defaults: its default deadline, linearizable reads, its own session. */
    public static final RequestOptions DEFAULT = new RequestOptions(null, ReadConsistency.LINEARIZABLE, null, null);

    private final Duration deadline;
    private final ReadConsistency consistency;
    private final Session session;
    private final Duration ttl;

    private RequestOptions(Duration deadline, ReadConsistency consistency, Session session, Duration ttl) {
        this.deadline = deadline;
        this.consistency = consistency;
        this.session = session;
        this.ttl = ttl;
    }

    /** Defaults with a deadline for the whole call, retries included. */
    public static RequestOptions deadline(Duration deadline) {
        return DEFAULT.withDeadline(deadline);
    }

    /** Defaults with a serializable read. */
    public static RequestOptions serializable() {
        return DEFAULT.withConsistency(ReadConsistency.SERIALIZABLE);
    }

    /** Defaults with ephemeral nodes owned by {@code session}. */
    public static RequestOptions session(Session session) {
        return DEFAULT.withSession(session);
    }

    /** The call's deadline, retries included; null for the client's default. */
    public Duration deadline() {
        return deadline;
    }

    public ReadConsistency consistency() {
        return consistency;
    }

    /** The session that owns ephemeral nodes a create makes; null for the client's session. */
    public Session session() {
        return session;
    }

    /** The TTL of nodes created in a TTL mode; null when not set. */
    public Duration ttl() {
        return ttl;
    }

    public RequestOptions withDeadline(Duration deadline) {
        Objects.requireNonNull(deadline, "deadline");
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("deadline must be positive, not " + deadline);
        }
        return new RequestOptions(deadline, consistency, session, ttl);
    }

    public RequestOptions withConsistency(ReadConsistency consistency) {
        return new RequestOptions(deadline, Objects.requireNonNull(consistency, "consistency"), session, ttl);
    }

    public RequestOptions withSession(Session session) {
        return new RequestOptions(deadline, consistency, Objects.requireNonNull(session, "session"), ttl);
    }

    public RequestOptions withTtl(Duration ttl) {
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive, not " + ttl);
        }
        return new RequestOptions(deadline, consistency, session, ttl);
    }

    @Override
    public String toString() {
        return "RequestOptions{deadline=" + deadline + ", consistency=" + consistency + ", session="
                + (session == null ? "default" : Long.toString(session.id())) + ", ttl=" + ttl + "}";
    }
}
