package io.kvorum.cli;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * "Stop now" for commands that run until interrupted (watch, elect, create --ephemeral, lock).
 * The launcher's shutdown hook raises it on Ctrl-C or SIGTERM and then waits for the command
 * to clean up (close its session, release its lock); tests raise it themselves.
 */
public final class StopSignal {
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();

    /** Asks the running command to stop. Idempotent. */
    public void request() {
        stopped.complete(null);
    }

    public boolean requested() {
        return stopped.isDone();
    }

    /** Completes when a stop is requested. */
    public CompletableFuture<Void> future() {
        return stopped;
    }

    /**
     * Blocks until a stop is requested or {@code end} completes, whichever is first. Returns
     * normally on a stop or a normal end; throws {@code end}'s failure.
     */
    public void awaitStopOr(CompletableFuture<?> end) throws InterruptedException {
        try {
            CompletableFuture.anyOf(stopped, end).get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(c);
        }
    }
}
