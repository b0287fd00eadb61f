package io.kvorum.server.state;

import io.kvorum.proto.internal.v1.CommandError;
import io.kvorum.proto.v1.ErrorReason;

/**
 * A command that must apply nothing: thrown while a command runs against its {@link Txn},
 * which is then discarded, and turned into a {@link CommandError} for the proposer. Part of
 * normal operation (users cause these), so it carries no stack trace.
 */
final class CommandFailure extends RuntimeException {
    private final ErrorReason reason;
    private final String path;
    private int opIndex = -1;

    CommandFailure(ErrorReason reason, String path, String message) {
        super(message, null, false, false);
        this.reason = reason;
        this.path = path == null ? "" : path;
    }

    ErrorReason reason() {
        return reason;
    }

    String path() {
        return path;
    }

    /** Marks the failing operation of a multi (only the innermost index is kept). */
    CommandFailure atOp(int index) {
        if (opIndex < 0) {
            opIndex = index;
        }
        return this;
    }

    CommandError toError() {
        return CommandError.newBuilder()
                .setReason(reason)
                .setMessage(getMessage())
                .setPath(path)
                .setOpIndex(opIndex)
                .build();
    }
}
