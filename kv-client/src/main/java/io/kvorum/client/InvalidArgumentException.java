package io.kvorum.client;

/** The request itself is wrong: a malformed path, data or a request over a size limit, a bad mode or TTL (INVALID_ARGUMENT: INVALID_PATH, TOO_LARGE, INVALID_DATA). Retrying it cannot help. */
public class InvalidArgumentException extends KvorumException {
    public InvalidArgumentException(String message, Throwable cause, String reason, String path, int opIndex) {
        super(message, cause, reason, path, opIndex);
    }
}
