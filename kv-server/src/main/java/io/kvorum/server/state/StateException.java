package io.kvorum.server.state;

import io.kvorum.proto.v1.ErrorReason;

/** A read the state cannot answer (no such node, bad input); carries the client-facing reason. */
public final class StateException extends RuntimeException {
    private final ErrorReason reason;
    private final String path;

    public StateException(ErrorReason reason, String path, String message) {
        super(message);
        this.reason = reason;
        this.path = path;
    }

    public ErrorReason reason() {
        return reason;
    }

    public String path() {
        return path;
    }
}
