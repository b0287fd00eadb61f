package io.kvorum.client;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The highest revision this client has seen in any answer or event. Serializable reads pass it
 * as min_revision, so a node that lags behind waits (or the read goes elsewhere) rather than
 * answer with an older state: the client never goes back in time.
 */
final class RevisionTracker {
    private final AtomicLong highest = new AtomicLong();

    void observe(long revision) {
        highest.accumulateAndGet(revision, Math::max);
    }

    long highest() {
        return highest.get();
    }
}
