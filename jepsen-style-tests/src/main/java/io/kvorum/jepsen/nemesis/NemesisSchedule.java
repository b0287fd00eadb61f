package io.kvorum.jepsen.nemesis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs faults on a schedule and records each window: quiet for {@code initialDelay}, then
 * repeatedly a fault from a random nemesis held for [minHold, maxHold], healed, quiet for
 * [minQuiet, maxQuiet]. One nemesis runs faults "alone", several are "mixed". A nemesis that
 * declines (returns null) is skipped for that round. {@link #stopAndHeal} ends the current fault
 * and heals everything every nemesis could have touched: a run's final phase is always healthy.
 */
public final class NemesisSchedule implements AutoCloseable {
    public record Timing(Duration initialDelay, Duration minHold, Duration maxHold, Duration minQuiet,
                         Duration maxQuiet) {
        /** Faults from 5 s in, toggling every 5-10 s. */
        public static Timing standard() {
            return new Timing(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(10),
                    Duration.ofSeconds(5), Duration.ofSeconds(10));
        }
    }

    private final List<Nemesis> nemeses;
    private final Random random;
    private final Timing timing;
    private final FaultLog log;
    private final Thread thread;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
    private Nemesis active;
    private int activeWindow = -1;

    public NemesisSchedule(List<Nemesis> nemeses, Random random, Timing timing, FaultLog log) {
        this.nemeses = List.copyOf(nemeses);
        this.random = random;
        this.timing = timing;
        this.log = log;
        this.thread = new Thread(this::loop, "nemesis");
        thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    private void loop() {
        if (nemeses.isEmpty()) {
            return; // a run without faults
        }
        try {
            sleep(timing.initialDelay());
            while (!stopping.get()) {
                Nemesis n = nemeses.get(random.nextInt(nemeses.size()));
                String what;
                synchronized (this) {
                    if (stopping.get()) {
                        return;
                    }
                    long began = log.now();
                    try {
                        what = n.start(random);
                    } catch (InterruptedException e) {
                        throw e;
                    } catch (Exception e) {
                        if (stopping.get()) {
                            return; // the stop's interrupt, surfacing from a client call as its error
                        }
                        // A fault that failed half-way is still a fault: it shows on the timeline,
                        // the schedule goes on, and the final heal undoes whatever it did.
                        errors.add(e);
                        log.ended(log.started(n.name(), "failed: " + e, began));
                        what = null;
                    }
                    if (what != null) {
                        active = n;
                        activeWindow = log.started(n.name(), what, began);
                    }
                }
                if (what == null) {
                    sleep(Duration.ofMillis(500));
                    continue;
                }
                sleep(between(timing.minHold(), timing.maxHold()));
                try {
                    endActive();
                } catch (InterruptedException e) {
                    throw e;
                } catch (Exception e) {
                    if (stopping.get()) {
                        return; // as above; stopAndHeal ends the fault again and heals
                    }
                    errors.add(e);
                }
                sleep(between(timing.minQuiet(), timing.maxQuiet()));
            }
        } catch (InterruptedException e) {
            // stopping
        } catch (RuntimeException e) {
            if (!stopping.get()) {
                errors.add(e);
            }
        }
    }

    private synchronized void endActive() throws Exception {
        if (active != null) {
            try {
                active.stop();
            } finally {
                log.ended(activeWindow);
                active = null;
            }
        }
    }

    private Duration between(Duration min, Duration max) {
        long span = max.toMillis() - min.toMillis();
        return min.plusMillis(span <= 0 ? 0 : (long) (random.nextDouble() * span));
    }

    private static void sleep(Duration d) throws InterruptedException {
        Thread.sleep(d.toMillis());
    }

    /** Ends any fault and heals everything; returns errors the schedule met (empty when all went well). */
    public List<Throwable> stopAndHeal() throws InterruptedException {
        stopping.set(true);
        thread.interrupt();
        thread.join(30_000);
        try {
            endActive();
        } catch (Exception e) {
            errors.add(e);
        }
        for (Nemesis n : nemeses) {
            try {
                n.healAll();
            } catch (Exception e) {
                errors.add(e);
            }
        }
        return List.copyOf(errors);
    }

    @Override
    public void close() throws InterruptedException {
        stopAndHeal();
    }
}
