package io.kvorum.client;

/**
 * The root of every failure the client reports. Subclasses name what went wrong so callers can
 * catch what they can act on; {@link #reason()} carries the server's machine-readable reason
 * (kvorum.proto's {@code ErrorReason}) when the server gave one, and {@link #reasonName()} its
 * name as sent, which stays meaningful for reasons a newer server adds.
 *
 * <p>Unchecked: the async API completes futures with these, and the blocking API throws them
 * unchanged.
 */
public class KvorumException extends RuntimeException {
    /** Why the server refused, as kvorum.proto's {@code ErrorReason} names it. */
    public enum Reason {
        /** The server gave no reason (or the failure did not come from a server). */
        NONE,
        /** A reason this client version does not know: see {@link #reasonName()}. */
        UNKNOWN,
        NO_NODE,
        NODE_EXISTS,
        BAD_VERSION,
        NOT_EMPTY,
        NO_CHILDREN_FOR_EPHEMERALS,
        SESSION_EXPIRED,
        INVALID_PATH,
        TOO_LARGE,
        INVALID_DATA,
        COMPACTED,
        NO_LEADER,
        WATCHER_TOO_SLOW,
        NOT_LEARNER_CAUGHT_UP,
        MEMBERSHIP_REFUSED;

        /** The reason named {@code name}; NONE for null, UNKNOWN for a name this client does not know. */
        public static Reason of(String name) {
            if (name == null || name.isEmpty()) {
                return NONE;
            }
            try {
                Reason r = valueOf(name);
                return r == NONE ? UNKNOWN : r;
            } catch (IllegalArgumentException unknown) {
                return UNKNOWN;
            }
        }
    }

    private final String reason;
    private final String path;
    private final int opIndex;

    public KvorumException(String message) {
        this(message, null, null, null, -1);
    }

    public KvorumException(String message, Throwable cause) {
        this(message, cause, null, null, -1);
    }

    public KvorumException(String message, Throwable cause, String reason, String path, int opIndex) {
        super(message, cause);
        this.reason = reason;
        this.path = path;
        this.opIndex = opIndex;
    }

    /** The server's reason; {@link Reason#NONE} when there was none. */
    public Reason reason() {
        return Reason.of(reason);
    }

    /** The server's ErrorReason name as sent (e.g. {@code "NO_NODE"}), or null when there was none. */
    public String reasonName() {
        return reason;
    }

    /** The path the error is about, or null when it is not about one path. */
    public String path() {
        return path;
    }

    /** For a failed {@code multi}: the index of the operation that failed; otherwise -1. */
    public int opIndex() {
        return opIndex;
    }
}
