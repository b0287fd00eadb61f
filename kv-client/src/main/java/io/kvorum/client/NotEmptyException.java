package io.kvorum.client;

/** A delete of a node that still has children (NOT_EMPTY). */
public class NotEmptyException extends KvorumException {
    public NotEmptyException(String message, Throwable cause, String reason, String path, int opIndex) {
        super(message, cause, reason, path, opIndex);
    }
}
