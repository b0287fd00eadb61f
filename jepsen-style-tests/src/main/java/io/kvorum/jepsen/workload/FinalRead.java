package io.kvorum.jepsen.workload;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Final reads run on a healed cluster that may still be electing a leader or catching a node
 * up: one operation, retried until it answers or a minute passed (a read changes nothing, so
 * retrying inside one operation is fine).
 */
final class FinalRead {
    static final Duration PATIENCE = Duration.ofSeconds(60);

    private FinalRead() {
    }

    static <T> T retry(Supplier<T> read) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (true) {
            try {
                return read.get();
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }
}
