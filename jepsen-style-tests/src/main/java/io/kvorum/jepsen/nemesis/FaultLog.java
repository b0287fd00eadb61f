package io.kvorum.jepsen.nemesis;

import java.util.ArrayList;
import java.util.List;

/** The faults of a run, in the order they started; a fault still active has end = -1. */
public final class FaultLog {
    private final RunClock clock;
    private final List<FaultWindow> windows = new ArrayList<>();

    public FaultLog(RunClock clock) {
        this.clock = clock;
    }

    /** Records a fault's start; returns its index for {@link #ended}. */
    public synchronized int started(String nemesis, String description) {
        return started(nemesis, description, clock.now());
    }

    /** Records a fault that began at {@code start} (read from {@link #now} before injecting it). */
    public synchronized int started(String nemesis, String description, long start) {
        windows.add(new FaultWindow(nemesis, description, start, -1));
        return windows.size() - 1;
    }

    public long now() {
        return clock.now();
    }

    public synchronized void ended(int index) {
        FaultWindow w = windows.get(index);
        windows.set(index, new FaultWindow(w.nemesis(), w.description(), w.start(), clock.now()));
    }

    public synchronized List<FaultWindow> windows() {
        return List.copyOf(windows);
    }
}
