package io.kvorum.jepsen.run;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One client thread's identity in the history. After an operation ends in {@code info} the
 * thread cannot know whether it happened, so it must not act as the same process again (real
 * time order would be a lie): it takes a fresh process number, as Jepsen does.
 */
public final class ProcessSlot {
    private final AtomicLong numbers;
    private long process;

    ProcessSlot(AtomicLong numbers) {
        this.numbers = numbers;
        this.process = numbers.getAndIncrement();
    }

    public synchronized long process() {
        return process;
    }

    /** The current process ended indeterminate: continue as a new one. */
    synchronized void crashed() {
        process = numbers.getAndIncrement();
    }
}
