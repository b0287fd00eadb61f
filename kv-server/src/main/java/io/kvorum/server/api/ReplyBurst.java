package io.kvorum.server.api;

import io.kvorum.server.node.CompletionScope;
import java.util.ArrayList;
import java.util.List;

/**
 * Coalesces the replies of one burst of completions on one thread: inside a burst, a Batch
 * stream that got new results registers itself once and sends them all in one message when the
 * burst ends, instead of one message per result. The node's apply thread runs each burst of
 * proposal completions and read releases through {@link #SCOPE}; a Batch stream runs the items
 * of one inbound message as a burst. Results completing outside any burst are sent at once.
 */
final class ReplyBurst {
    /** Something with results waiting: sends them all as one message. */
    abstract static class Sender {
        /**
         * The burst this sender last registered with. Written only by the thread running that
         * burst; a stale value seen by another thread only causes a second registration (one
         * empty flush), never a missed one.
         */
        private ReplyBurst registeredWith;

        abstract void flush();
    }

    /** The scope handed to the node (see {@link io.kvorum.server.node.RaftNode#setCompletionScope}). */
    static final CompletionScope SCOPE = ReplyBurst::run;

    private static final ThreadLocal<ReplyBurst> CURRENT = new ThreadLocal<>();

    /** Senders with results from this burst; a new ReplyBurst per burst (its identity marks registration). */
    private final List<Sender> registered = new ArrayList<>();

    private ReplyBurst() {
    }

    /** Runs {@code burst}; streams it gave results to flush once at its end. Nested runs join the outer burst. */
    static void run(Runnable burst) {
        if (CURRENT.get() != null) {
            burst.run();
            return;
        }
        ReplyBurst b = new ReplyBurst();
        CURRENT.set(b);
        try {
            burst.run();
        } finally {
            CURRENT.remove();
            for (Sender f : b.registered) {
                f.flush();
            }
        }
    }

    /**
     * Defers {@code sender}'s flush to the end of the burst running on this thread, registering
     * it once per burst; false outside any burst (the caller flushes now).
     */
    static boolean defer(Sender sender) {
        ReplyBurst b = CURRENT.get();
        if (b == null) {
            return false;
        }
        if (sender.registeredWith != b) {
            sender.registeredWith = b;
            b.registered.add(sender);
        }
        return true;
    }
}
