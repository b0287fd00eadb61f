package io.kvorum.client;

/** The caller's credentials are missing or invalid (UNAUTHENTICATED). */
public class UnauthenticatedException extends KvorumException {
    public UnauthenticatedException(String message, Throwable cause, String reason, String path, int opIndex) {
        super(message, cause, reason, path, opIndex);
    }
}
