package io.kvorum.cli.command;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/**
 * Runs a blocking call (waiting for a lock) on its own daemon thread, so the command's thread
 * can wait for it or for Ctrl-C, whichever comes first.
 */
final class Background {
    private Background() {
    }

    static <T> CompletableFuture<T> call(String name, Callable<T> call) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                f.complete(call.call());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return f;
    }
}
