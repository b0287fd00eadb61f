package io.kvorum.server.transport;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Simulated WAN latency for measuring a multi-datacenter cluster on one machine (the script
 * {@code deploy/local/wan.sh}): every raft message to a listed peer is held for that peer's
 * delay before it is handed to the peer's lanes. Off unless the JVM runs with
 * {@code -Dkvorum.debug.peer-delay-ms=2=25,3=25} (peer id = one-way milliseconds); never use it
 * in production.
 *
 * <p>Order per peer is kept: one peer's delay is fixed, so its messages fall due in the order
 * they were sent, and the single timer thread runs tasks due at the same time in submission
 * order. Snapshot transfers are not delayed.
 */
final class LinkDelay implements AutoCloseable {
    static final String PROPERTY = "kvorum.debug.peer-delay-ms";

    private final Map<Long, Long> delayMillis;
    private final ScheduledExecutorService timer;

    LinkDelay(Map<Long, Long> delayMillis) {
        this.delayMillis = Map.copyOf(delayMillis);
        this.timer = delayMillis.isEmpty() ? null : Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kvorum-link-delay");
            t.setDaemon(true);
            return t;
        });
    }

    /** The delays the system property asks for (none when it is unset). */
    static LinkDelay fromSystemProperty() {
        return new LinkDelay(parse(System.getProperty(PROPERTY, "")));
    }

    /** Parses {@code id=millis,...}; throws IllegalArgumentException naming the bad part. */
    static Map<Long, Long> parse(String spec) {
        Map<Long, Long> out = new HashMap<>();
        if (spec.isBlank()) {
            return out;
        }
        for (String part : spec.split(",")) {
            String[] kv = part.trim().split("=", -1);
            try {
                long peer = Long.parseLong(kv[0].trim());
                long millis = Long.parseLong(kv[1].trim());
                if (kv.length != 2 || peer <= 0 || millis < 0) {
                    throw new NumberFormatException();
                }
                out.put(peer, millis);
            } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                throw new IllegalArgumentException(PROPERTY + ": '" + part + "' is not peerId=milliseconds");
            }
        }
        return out;
    }

    /** Whether messages to {@code peer} are held back (never, unless the property asks). */
    boolean delays(long peer) {
        Long d = delayMillis.get(peer);
        return d != null && d != 0;
    }

    /** Runs {@code send} now, or after the peer's delay when it has one. */
    void send(long peer, Runnable send) {
        Long d = delayMillis.get(peer);
        if (d == null || d == 0) {
            send.run();
            return;
        }
        try {
            timer.schedule(send, d, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // the transport is closing: the message is lost, as on a link that went down
        }
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
