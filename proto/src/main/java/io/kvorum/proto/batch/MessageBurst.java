package io.kvorum.proto.batch;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Coalesces what one burst of work on one thread gives a Batch stream to send: inside a burst,
 * each stream that got something to send registers once and sends it all as one message when the
 * burst ends, instead of one message per item. Outside a burst a stream sends at once. Both ends
 * of the Batch RPC use it: the client for the requests the callbacks of one response message
 * issue (a closed loop, a recipe's next step), the server for the results of one burst of
 * completions (a batch of proposals applied, the reads one barrier released). A thread runs at
 * most one burst whichever end it serves: where client and server share a JVM (tests), a client
 * burst run inside a server burst joins it, which only moves its flush to the outer burst's end.
 */
public final class MessageBurst {
    /**
     * Something with items waiting to be sent. {@link #flush()} may be called from any thread;
     * {@link #drain()} runs on one thread at a time, and once more after every flush that
     * found another running (the work-in-progress counter), so nothing queued is left behind.
     */
    public abstract static class Sender {
        /** Flushes asked for and not yet drained for; non-zero while one thread drains. */
        private final AtomicInteger wip = new AtomicInteger();

        /**
         * The burst this sender last registered with. Written only by the thread running that
         * burst; a stale value seen by another thread only causes a second registration (an
         * empty flush), never a missed one.
         */
        private MessageBurst registeredWith;

        /** Sends what is queued, now or by the thread already draining. */
        public final void flush() {
            if (wip.getAndIncrement() != 0) {
                return;
            }
            int missed = 1;
            do {
                drain();
                missed = wip.addAndGet(-missed);
            } while (missed != 0);
        }

        /** Sends what is queued; never runs on two threads at once. */
        protected abstract void drain();
    }

    private static final ThreadLocal<MessageBurst> CURRENT = new ThreadLocal<>();

    /** Senders with items from this burst; a new MessageBurst per burst (its identity marks registration). */
    private final List<Sender> registered = new ArrayList<>();

    private MessageBurst() {
    }

    /** Runs {@code burst}; senders that got items in it flush once at its end. Nested runs join the outer burst. */
    public static void run(Runnable burst) {
        if (CURRENT.get() != null) {
            burst.run();
            return;
        }
        MessageBurst b = new MessageBurst();
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
    public static boolean defer(Sender sender) {
        MessageBurst b = CURRENT.get();
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
    public static void flushDeferred() {
        MessageBurst b = CURRENT.get();
        if (b != null) {
            for (Sender s : b.registered) {
                s.flush();
            }
        }
    }
}
