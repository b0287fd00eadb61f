package io.kvorum.server.api;

import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.kvorum.proto.internal.v1.CommandError;
import io.kvorum.proto.v1.ErrorReason;
import io.kvorum.server.node.LeaderUnreachableException;
import io.kvorum.server.node.NotLeaderException;
import io.kvorum.server.state.StateException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every failure into the gRPC status kvorum.proto's header promises: the code that fits
 * the reason, a message naming the problem, and a {@code google.rpc.ErrorInfo} detail (reason =
 * the {@link ErrorReason} name, domain {@value #DOMAIN}, metadata path / op_index / leader_id /
 * leader_address) so clients can act on it without parsing text.
 */
public final class Errors {
    public static final String DOMAIN = "kvorum.io";
    private static final Logger LOG = LoggerFactory.getLogger(Errors.class);

    /** Looks up a member's client address (null when unknown): UNAVAILABLE names where to retry. */
    private final LongFunction<String> clientAddressOf;
    /** This member's id: an UNAVAILABLE raised on the leader itself says "retry shortly", not "go to the leader". */
    private final LongSupplier selfId;

    public Errors(LongFunction<String> clientAddressOf, LongSupplier selfId) {
        this.clientAddressOf = clientAddressOf;
        this.selfId = selfId;
    }

    /** The gRPC code for a reason, as kvorum.proto's header comment lists them. */
    public static Code codeOf(ErrorReason reason) {
        return switch (reason) {
            case NO_NODE -> Code.NOT_FOUND;
            case NODE_EXISTS -> Code.ALREADY_EXISTS;
            case BAD_VERSION, NOT_EMPTY, NO_CHILDREN_FOR_EPHEMERALS, SESSION_EXPIRED, NOT_LEARNER_CAUGHT_UP,
                    MEMBERSHIP_REFUSED, AUTH_REFUSED -> Code.FAILED_PRECONDITION;
            case PERMISSION_DENIED -> Code.PERMISSION_DENIED;
            case UNAUTHENTICATED -> Code.UNAUTHENTICATED;
            case AUTH_NOT_FOUND -> Code.NOT_FOUND;
            case AUTH_EXISTS -> Code.ALREADY_EXISTS;
            case TOO_MANY_ATTEMPTS -> Code.RESOURCE_EXHAUSTED;
            case INVALID_PATH, TOO_LARGE, INVALID_DATA -> Code.INVALID_ARGUMENT;
            case COMPACTED -> Code.OUT_OF_RANGE;
            case NO_LEADER -> Code.UNAVAILABLE;
            case WATCHER_TOO_SLOW, OVERLOADED, TOO_MANY_STREAMS, QUOTA_EXCEEDED, SNAPSHOT_BUSY ->
                    Code.RESOURCE_EXHAUSTED;
            case ERROR_REASON_UNSPECIFIED, UNRECOGNIZED -> Code.INTERNAL;
        };
    }

    /** A status for {@code reason} with its code; {@code metadata} pairs are key, value, key, value... */
    public static StatusRuntimeException of(ErrorReason reason, String message, String... metadata) {
        return status(codeOf(reason), reason, message, metadata);
    }

    /** An INVALID_ARGUMENT about {@code path} (INVALID_PATH, TOO_LARGE or INVALID_DATA). */
    public static StatusRuntimeException invalid(ErrorReason reason, String path, String message) {
        return path == null ? of(reason, message) : of(reason, message, "path", path);
    }

    /**
     * A status with an explicit code; null metadata values are left out. Message and metadata
     * travel in trailers, which clients cap (8 KiB by default): each is clipped to
     * {@value #MAX_TEXT} characters so that an error about a 4 KiB path still reaches the client.
     */
    public static StatusRuntimeException status(Code code, ErrorReason reason, String message, String... metadata) {
        Map<String, String> meta = new LinkedHashMap<>();
        for (int i = 0; i + 1 < metadata.length; i += 2) {
            if (metadata[i + 1] != null) {
                meta.put(metadata[i], clip(metadata[i + 1]));
            }
        }
        ErrorInfo info = ErrorInfo.newBuilder().setReason(reason.name()).setDomain(DOMAIN).putAllMetadata(meta).build();
        com.google.rpc.Status st = com.google.rpc.Status.newBuilder().setCode(code.value())
                .setMessage(clip(message)).addDetails(Any.pack(info)).build();
        return StatusProto.toStatusRuntimeException(st);
    }

    /** A failed command's answer from the state machine. */
    public static StatusRuntimeException of(CommandError e) {
        return status(codeOf(e.getReason()), e.getReason(), e.getMessage(),
                "path", e.getPath().isEmpty() ? null : e.getPath(),
                "op_index", e.getOpIndex() >= 0 ? Integer.toString(e.getOpIndex()) : null);
    }

    /** A read the state refused. */
    public static StatusRuntimeException of(StateException e) {
        return status(codeOf(e.reason()), e.reason(), e.getMessage(), "path", e.path());
    }

    /** Any failure of a request, mapped to the status the client sees. */
    public StatusRuntimeException toStatus(Throwable t) {
        Throwable e = unwrap(t);
        if (e instanceof StatusRuntimeException sre) {
            return sre;
        }
        if (e instanceof StateException se) {
            return of(se);
        }
        if (e instanceof NotLeaderException nle) {
            return unavailable(nle);
        }
        if (e instanceof LeaderUnreachableException lue) {
            return unavailable(lue);
        }
        if (e instanceof TimeoutException) {
            return status(Code.DEADLINE_EXCEEDED, ErrorReason.ERROR_REASON_UNSPECIFIED,
                    "the request did not complete before its deadline; a write may still be applied: "
                            + "retry it with the same client id and sequence to apply it at most once");
        }
        if (e instanceof CancellationException) {
            return status(Code.CANCELLED, ErrorReason.ERROR_REASON_UNSPECIFIED, "the request was cancelled");
        }
        LOG.error("unexpected failure serving a request", e);
        return status(Code.INTERNAL, ErrorReason.ERROR_REASON_UNSPECIFIED, "internal error: " + e);
    }

    /** UNAVAILABLE / NO_LEADER naming the leader's client address when it is known. */
    public StatusRuntimeException unavailable(NotLeaderException e) {
        return noLeader(e.getMessage(), e.leaderId());
    }

    /**
     * UNAVAILABLE / NO_LEADER from a node cut off from its leader, naming the leader it knew. A
     * proposal it had already forwarded carries {@code outcome=unknown}: it may still be applied,
     * so only a deduplicated write may be sent again.
     */
    public StatusRuntimeException unavailable(LeaderUnreachableException e) {
        return noLeader(e.getMessage(), e.leaderId(), e.outcomeUnknown() ? "unknown" : null);
    }

    /** UNAVAILABLE / NO_LEADER: {@code what} failed here; retry at leader {@code leaderId} (0: unknown). */
    public StatusRuntimeException noLeader(String what, long leaderId) {
        return noLeader(what, leaderId, null);
    }

    private StatusRuntimeException noLeader(String what, long leaderId, String outcome) {
        String address = leaderId == 0 ? null : clientAddressOf.apply(leaderId);
        String hint = leaderId == 0 ? "no leader is known yet; retry shortly"
                : leaderId == selfId.getAsLong() ? "retry shortly"
                : address == null ? "retry at the leader, node " + leaderId
                : "retry at the leader, node " + leaderId + " at " + address;
        return of(ErrorReason.NO_LEADER, what + ": " + hint,
                "leader_id", leaderId == 0 ? null : Long.toString(leaderId), "leader_address", address,
                "outcome", outcome);
    }

    static final int MAX_TEXT = 1024;

    /** Shortens {@code s} and replaces unpaired surrogates (protobuf would send them as '?' and warn). */
    private static String clip(String s) {
        String t = s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT) + "...";
        StringBuilder sb = null;
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            boolean paired = Character.isHighSurrogate(c) && i + 1 < t.length()
                    && Character.isLowSurrogate(t.charAt(i + 1));
            if (paired) {
                if (sb != null) {
                    sb.append(c).append(t.charAt(i + 1));
                }
                i++;
                continue;
            }
            if (Character.isSurrogate(c) && sb == null) {
                sb = new StringBuilder(t.substring(0, i));
            }
            if (sb != null) {
                sb.append(Character.isSurrogate(c) ? '\uFFFD' : c);
            }
        }
        return sb == null ? t : sb.toString();
    }

    private static Throwable unwrap(Throwable t) {
        Throwable e = t;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}
