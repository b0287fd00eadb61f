package io.kvorum.server.auth;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Slows down password guessing per user: after a failed login the user's next attempt on this
 * node must wait, 100 ms after the first failure and doubling up to 10 s; a success clears
 * it. Kept per node in memory (a guesser spreading over nodes gets one budget per node).
 */
public final class LoginLimiter {
    static final long FIRST_DELAY_MILLIS = 100;
    static final long MAX_DELAY_MILLIS = 10_000;
    /** Bounds memory under a flood of invented user names: beyond it the table is cleared. */
    private static final int MAX_TRACKED = 100_000;

    private record Failures(int count, long nextAllowedMillis) {
    }

    private final ConcurrentHashMap<String, Failures> failures = new ConcurrentHashMap<>();
    private final LongSupplier clock;

    public LoginLimiter(LongSupplier clock) {
        this.clock = clock;
    }

    /** Milliseconds {@code user} must still wait before trying again; 0 when it may try now. */
    public long waitMillis(String user) {
        Failures f = failures.get(user);
        return f == null ? 0 : Math.max(0, f.nextAllowedMillis() - clock.getAsLong());
    }

    public void failed(String user) {
        if (failures.size() > MAX_TRACKED) {
            failures.clear();
        }
        long now = clock.getAsLong();
        failures.compute(user, (u, f) -> {
            int n = f == null ? 1 : f.count() + 1;
            long delay = Math.min(MAX_DELAY_MILLIS, FIRST_DELAY_MILLIS << Math.min(n - 1, 20));
            return new Failures(n, now + delay);
        });
    }

    public void succeeded(String user) {
        failures.remove(user);
    }
}
