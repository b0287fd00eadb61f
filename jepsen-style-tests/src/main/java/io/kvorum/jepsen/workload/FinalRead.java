package io.kvorum.jepsen.workload;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Final reads run on a healed cluster that may still be electing a leader or catching a node
 * up: each is one operation, retried until it answers (a read changes nothing, so retrying
 * inside one operation is fine) or the phase's minute is spent. One deadline for all of a
 * workload's final reads: a cluster that does not come back costs a minute, not one per key.
 */
final class FinalRead {
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private final long deadline = System.nanoTime() + PATIENCE.toNanos();

    <T> T retry(Supplier<T> read) {
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
