package io.kvorum.client;

/** The node (or, on create, its parent) does not exist (NOT_FOUND / NO_NODE). */
public class NoNodeException extends KvorumException {
    public NoNodeException(String message, Throwable cause, String reason, String path, int opIndex) {
        super(message, cause, reason, path, opIndex);
    }
}
