package io.kvorum.client;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/** The blocking API's bridge: waits for a future and throws its {@link KvorumException} unchanged. */
final class Blocking {
    private Blocking() {
    }

    static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new KvorumException("interrupted while waiting for Kvorum", e);
        } catch (CancellationException e) {
            throw new KvorumException("the call was cancelled", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof KvorumException ke) {
                throw ke;
            }
            if (c instanceof RuntimeException re) {
                throw re;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new KvorumException("Kvorum call failed: " + c, c);
        }
    }
}
