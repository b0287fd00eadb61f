package io.kvorum.client;

/** A create under an ephemeral node, which cannot have children (NO_CHILDREN_FOR_EPHEMERALS). */
public class NoChildrenForEphemeralsException extends KvorumException {
    public NoChildrenForEphemeralsException(String message, Throwable cause, String reason, String path, int opIndex) {
        super(message, cause, reason, path, opIndex);
    }
}
