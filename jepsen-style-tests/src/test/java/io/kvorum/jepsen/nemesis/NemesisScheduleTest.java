package io.kvorum.jepsen.nemesis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class NemesisScheduleTest {
    private static final NemesisSchedule.Timing AT_ONCE = new NemesisSchedule.Timing(Duration.ZERO, Duration.ZERO,
            Duration.ZERO, Duration.ZERO, Duration.ZERO);

    /**
     * A client call interrupted by the stop fails as the client reports an interrupt, a
     * RuntimeException (kv-client's {@code Blocking} does so). That is the stop, not a fault
     * that failed: the run's errors stay empty and everything is still healed.
     */
    @Test
    void aFaultInterruptedByTheStopIsNoError() throws Exception {
        CountDownLatch inCall = new CountDownLatch(1);
        AtomicInteger heals = new AtomicInteger();
        NemesisSchedule schedule = scheduleOf(fault(() -> {
            inCall.countDown();
            try {
                new CountDownLatch(1).await(); // a client call that never answers
                return "never";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for Kvorum", e);
            }
        }, heals));
        schedule.start();
        assertTrue(inCall.await(10, TimeUnit.SECONDS), "the fault began");
        assertEquals(List.of(), schedule.stopAndHeal());
        assertEquals(1, heals.get());
    }

    /** A fault that fails on its own, not because of the stop, is an error of the run. */
    @Test
    void aFaultThatFailsOnItsOwnIsAnError() throws Exception {
        AtomicInteger tries = new AtomicInteger();
        CountDownLatch triedAgain = new CountDownLatch(1);
        NemesisSchedule schedule = scheduleOf(fault(() -> {
            if (tries.incrementAndGet() == 2) {
                triedAgain.countDown(); // so the first failure has been recorded
            }
            throw new IllegalStateException("no such node");
        }, new AtomicInteger()));
        schedule.start();
        assertTrue(triedAgain.await(10, TimeUnit.SECONDS), "the fault was tried twice");
        List<Throwable> errors = schedule.stopAndHeal();
        assertTrue(!errors.isEmpty() && errors.get(0).getMessage().equals("no such node"), errors.toString());
    }

    private static NemesisSchedule scheduleOf(Nemesis n) {
        return new NemesisSchedule(List.of(n), new Random(1), AT_ONCE, new FaultLog(new RunClock()));
    }

    /** A nemesis whose start is {@code start} and whose final heal counts itself in {@code heals}. */
    private static Nemesis fault(Supplier<String> start, AtomicInteger heals) {
        return new Nemesis() {
            @Override
            public String name() {
                return "test-fault";
            }

            @Override
            public String start(Random random) {
                return start.get();
            }

            @Override
            public void stop() {
            }

            @Override
            public void healAll() {
                heals.incrementAndGet();
            }
        };
    }
}
