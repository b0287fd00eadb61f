package io.kvorum.client;

/**
 * The root of every failure the client reports. Subclasses name what went wrong so callers can
 * catch what they can act on; {@link #reason()} carries the server's machine-readable reason
 * (an {@code ErrorReason} name from kvorum.proto) when the server gave one.
 *
 * <p>Unchecked: the async API completes futures with these, and the blocking API throws them
 * unchanged.
 */
public class KvorumException extends RuntimeException {
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

    /** The server's ErrorReason name (e.g. {@code "NO_NODE"}), or null when there was none. */
    public String reason() {
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
