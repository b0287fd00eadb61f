package io.kvorum.jepsen.run;

import io.kvorum.jepsen.history.Type;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a workload's client threads share: the history, process numbers, the clients, and the
 * signal that the run's operation phase is over.
 */
public final class RunContext {
    private final Recorder recorder;
    private final Clients clients;
    private final long seed;
    private final AtomicLong processes = new AtomicLong();
    private final CountDownLatch stopped = new CountDownLatch(1);

    public RunContext(Recorder recorder, Clients clients, long seed) {
        this.recorder = recorder;
        this.clients = clients;
        this.seed = seed;
    }

    public Clients clients() {
        return clients;
    }

    /** A new process number for a client thread (or any other actor that invokes operations). */
    public ProcessSlot slot() {
        return new ProcessSlot(processes);
    }

    /** Records the invocation now; the caller sends the request after this returns. */
    public Call invoke(ProcessSlot slot, String f, String key, Object value) {
        return Call.invoke(recorder, slot, f, key, value);
    }

    /** Records an observation (an ok line with no invocation, e.g. a watcher's event). */
    public void observe(long process, String f, String key, Object value) {
        recorder.record(process, Type.OK, f, key, value, null);
    }

    /** The random of client thread {@code index}: the run's seed decides every thread's choices. */
    public Random random(int index) {
        return new Random(seed * 1_000_003L + index);
    }

    public boolean running() {
        return stopped.getCount() > 0;
    }

    /** Ends the operation phase: threads finish the operation they are in and return. */
    void stop() {
        stopped.countDown();
    }

    /**
     * Waits a random time in [0, 2 mean] (so operations do not march in step), cut short when
     * the run stops; returns whether the run still goes on.
     */
    public boolean pause(Random random, Duration mean) {
        long nanos = (long) (random.nextDouble() * 2 * mean.toNanos());
        try {
            return !stopped.await(nanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Sleeps {@code d} whatever happens (e.g. holding a lock, waiting for an expiry); false if interrupted. */
    public static boolean sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
