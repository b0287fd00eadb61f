package io.kvorum.server.api;

import io.grpc.Context;
import io.grpc.Deadline;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** How long a request may wait for raft: the client's gRPC deadline, or a default when it set none. */
final class Deadlines {
    private Deadlines() {
    }

    /** Milliseconds left for the current call (at least 1). Call on the gRPC thread serving it. */
    static long remainingMillis(Duration defaultDeadline) {
        Deadline d = Context.current().getDeadline();
        if (d == null) {
            return defaultDeadline.toMillis();
        }
        return Math.max(1, d.timeRemaining(TimeUnit.MILLISECONDS));
    }
}
