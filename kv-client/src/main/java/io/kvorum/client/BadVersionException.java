package io.kvorum.client;

/** A conditional set, delete or check found another version than expected (BAD_VERSION). */
public class BadVersionException extends KvorumException {
    public BadVersionException(String message, Throwable cause, String reason, String path, int opIndex) {
        super(message, cause, reason, path, opIndex);
    }
}
