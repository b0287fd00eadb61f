package io.kvorum.server.housekeeping;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wraps a task for a {@code ScheduledExecutorService}'s fixed-delay schedule. */
public final class PeriodicTask {
    private static final Logger LOG = LoggerFactory.getLogger(PeriodicTask.class);

    private PeriodicTask() {
    }

    /** A periodic task must survive its own failures, or the timer silently stops running it. */
    public static Runnable guard(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.warn("periodic task failed: {}", e.toString(), e);
            }
        };
    }
}
