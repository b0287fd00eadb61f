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
        windows.add(new FaultWindow(nemesis, description, clock.now(), -1));
        return windows.size() - 1;
    }

    public synchronized void ended(int index) {
        FaultWindow w = windows.get(index);
        windows.set(index, new FaultWindow(w.nemesis(), w.description(), w.start(), clock.now()));
    }

    public synchronized List<FaultWindow> windows() {
        return List.copyOf(windows);
    }
}
