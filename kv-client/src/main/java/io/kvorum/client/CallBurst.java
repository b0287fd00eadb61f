package io.kvorum.client;

import java.util.ArrayList;
import java.util.List;

/**
 * Coalesces the requests one burst of answers causes: while a Batch stream delivers a message
 * of results, the callbacks it runs often issue the next requests at once (a closed loop, a
 * recipe's next step). Inside the burst each stream that got such requests registers once and
 * sends them all as one message when the burst ends, instead of one message per request.
 * Outside a burst a request is sent at once.
 */
final class CallBurst {
    /** Something with requests waiting: sends them as one message. */
    abstract static class Sender {
        /**
         * The burst this sender last registered with. Written only by the thread running that
         * burst; a stale value seen by another thread only causes a second registration (an
         * empty flush), never a missed one.
         */
        private CallBurst registeredWith;

        abstract void flush();
    }

    private static final ThreadLocal<CallBurst> CURRENT = new ThreadLocal<>();

    /** Senders with requests from this burst; a new CallBurst per burst (its identity marks registration). */
    private final List<Sender> registered = new ArrayList<>();

    private CallBurst() {
    }

    /** Runs {@code burst}; streams that got requests in it flush once at its end. Nested runs join the outer burst. */
    static void run(Runnable burst) {
        if (CURRENT.get() != null) {
            burst.run();
            return;
        }
        CallBurst b = new CallBurst();
        CURRENT.set(b);
        try {
            burst.run();
        } finally {
            CURRENT.remove();
            for (Sender s : b.registered) {
                s.flush();
            }
        }
    }

    /**
     * Defers {@code sender}'s flush to the end of the burst running on this thread, registering
     * it once per burst; false outside any burst (the caller flushes now).
     */
    static boolean defer(Sender sender) {
        CallBurst b = CURRENT.get();
        if (b == null) {
            return false;
        }
        if (sender.registeredWith != b) {
            sender.registeredWith = b;
            b.registered.add(sender);
        }
        return true;
    }

    /**
     * Sends now what this thread's burst has deferred: a callback about to block on a call must
     * not wait for the end of the burst it is blocking. The senders stay registered (their flush
     * at the end finds nothing more, or what came since).
     */
    static void flushDeferred() {
        CallBurst b = CURRENT.get();
        if (b != null) {
            for (Sender s : b.registered) {
                s.flush();
            }
        }
    }
}
