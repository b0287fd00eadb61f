package io.kvorum.jepsen.nemesis;

/** The run's monotonic time in nanoseconds since it began: histories and fault windows share it. */
public final class RunClock {
    private final long origin = System.nanoTime();

    public long now() {
        return System.nanoTime() - origin;
    }
}
