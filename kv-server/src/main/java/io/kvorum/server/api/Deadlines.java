package io.kvorum.server.api;

import io.grpc.Context;
import io.grpc.Deadline;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * How long a request may wait for raft: the client's gRPC deadline, or a default when it set
 * none. The server stops waiting a little before the client does, so that its explanatory
 * DEADLINE_EXCEEDED ("the write may still apply: retry with the same sequence") reaches the
 * client rather than losing the race to the client's own timer.
 */
final class Deadlines {
    /** At most this much of the deadline is kept back for the answer's trip. */
    static final long MAX_MARGIN_MILLIS = 100;

    private Deadlines() {
    }

    /** Milliseconds the current call may wait (at least 1). Call on the gRPC thread serving it. */
    static long remainingMillis(Duration defaultDeadline) {
        Deadline d = Context.current().getDeadline();
        if (d == null) {
            return defaultDeadline.toMillis();
        }
        return withMargin(d.timeRemaining(TimeUnit.MILLISECONDS));
    }

    /** Milliseconds a Batch item may wait: its {@code timeout_millis} (0: the default), less the margin. */
    static long itemMillis(long timeoutMillis, Duration defaultDeadline) {
        return timeoutMillis <= 0 ? defaultDeadline.toMillis() : withMargin(timeoutMillis);
    }

    private static long withMargin(long left) {
        return Math.max(1, left - Math.min(MAX_MARGIN_MILLIS, left / 10));
    }
}
