package io.kvorum.server.node;

/**
 * Wraps a burst of the apply stage's completions (the proposals one batch answers, the reads a
 * barrier releases), so whoever answers clients can send what completed together at once, at
 * the burst's end, instead of one message per completion. The node knows nothing of what a
 * scope does; it only promises to run each burst through it, on the thread that applies (the
 * apply thread, or the raft loop standing in for an idle apply stage).
 */
@FunctionalInterface
public interface CompletionScope {
    /** No scope: each completion's effects happen as it completes. */
    CompletionScope NONE = Runnable::run;

    /** Runs {@code burst} (on the calling thread) inside the scope. */
    void run(Runnable burst);
}
