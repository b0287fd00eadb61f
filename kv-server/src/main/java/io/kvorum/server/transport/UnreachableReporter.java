package io.kvorum.server.transport;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tells the node that messages to one peer were lost, at most once per interval: a dead peer
 * makes both lanes fail on every reconnect attempt and a full queue drops on every send, and
 * the node's loop needs to hear it once, not thousands of times.
 */
final class UnreachableReporter {
    private final long peer;
    private final MessageHandler handler;
    private final long intervalNanos;
    private final AtomicLong lastReport = new AtomicLong();
    private volatile boolean reportedOnce;

    UnreachableReporter(long peer, MessageHandler handler, Duration interval) {
        this.peer = peer;
        this.handler = handler;
        this.intervalNanos = interval.toNanos();
    }

    void report() {
        long now = System.nanoTime();
        long last = lastReport.get();
        if (reportedOnce && now - last < intervalNanos) {
            return;
        }
        if (!lastReport.compareAndSet(last, now)) {
            return; // another thread is reporting right now
        }
        reportedOnce = true;
        handler.onUnreachable(peer);
    }
}
