package io.kvorum.client;

/** A create of a node that already exists (ALREADY_EXISTS / NODE_EXISTS). */
public class NodeExistsException extends KvorumException {
    public NodeExistsException(String message, Throwable cause, String reason, String path, int opIndex) {
        super(message, cause, reason, path, opIndex);
    }
}
