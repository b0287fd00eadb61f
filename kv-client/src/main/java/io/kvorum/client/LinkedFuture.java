package io.kvorum.client;

import io.kvorum.proto.batch.MessageBurst;
import java.util.concurrent.CompletableFuture;

/**
 * A future whose cancellation reaches back to the call it came from. Plain CompletableFuture
 * stages do not cancel their source, so a caller cancelling {@code client.async().get(...)}
 * (a stage or two away from the retry loop) would leave the loop retrying until its deadline.
 * Every stage derived from this one ({@code thenApply}, {@code thenCompose}, ...) is made by
 * {@link #newIncompleteFuture()} and so is linked to the same source.
 */
final class LinkedFuture<T> extends CompletableFuture<T> {
    private final CompletableFuture<?> source;

    LinkedFuture(CompletableFuture<?> source) {
        this.source = source;
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new LinkedFuture<>(source);
    }

    // A callback that blocks on a call first sends what its burst of answers deferred (the call
    // it waits for may be among it): see MessageBurst.

    @Override
    public T get() throws InterruptedException, java.util.concurrent.ExecutionException {
        MessageBurst.flushDeferred();
        return super.get();
    }

    @Override
    public T get(long timeout, java.util.concurrent.TimeUnit unit)
            throws InterruptedException, java.util.concurrent.ExecutionException,
            java.util.concurrent.TimeoutException {
        MessageBurst.flushDeferred();
        return super.get(timeout, unit);
    }

    @Override
    public T join() {
        MessageBurst.flushDeferred();
        return super.join();
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        source.cancel(mayInterruptIfRunning);
        return cancelled;
    }
}
