package io.kvorum.jepsen.run;

import java.time.Duration;
import java.util.function.Supplier;

/** Retries an idempotent call (setup, final reads) until it answers or the patience runs out. */
public final class Retry {
    private Retry() {
    }

    public static <T> T until(Duration patience, Supplier<T> call) {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            try {
                return call.get();
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                if (!RunContext.sleep(Duration.ofMillis(500))) {
                    throw e;
                }
            }
        }
    }
}
