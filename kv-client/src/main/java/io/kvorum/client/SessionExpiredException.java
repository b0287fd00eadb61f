package io.kvorum.client;

/** The session is unknown, closed or expired: its ephemeral nodes are gone; open a new session (SESSION_EXPIRED). */
public class SessionExpiredException extends KvorumException {
    public SessionExpiredException(String message, Throwable cause, String reason, String path, int opIndex) {
        super(message, cause, reason, path, opIndex);
    }
}
