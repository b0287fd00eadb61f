package io.kvorum.client;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A channel to one endpoint together with its {@link KvBatcher}: {@link Rpc#unary} sends point
 * calls through the batcher, everything else (streams, admin calls) goes to the channel as is.
 * Shutting the channel down ends the batcher's stream with it.
 */
final class BatchingChannel extends ManagedChannel {
    private final ManagedChannel delegate;
    private final KvBatcher batcher;

    BatchingChannel(ManagedChannel delegate, ScheduledExecutorService scheduler) {
        this.delegate = delegate;
        this.batcher = new KvBatcher(delegate, scheduler);
    }

    /** Wraps every channel {@code channels} makes. */
    static ChannelFactory wrap(ChannelFactory channels, ScheduledExecutorService scheduler) {
        return address -> new BatchingChannel(channels.create(address), scheduler);
    }

    KvBatcher batcher() {
        return batcher;
    }

    @Override
    public <Q, R> ClientCall<Q, R> newCall(MethodDescriptor<Q, R> method, CallOptions options) {
        return delegate.newCall(method, options);
    }

    @Override
    public String authority() {
        return delegate.authority();
    }

    @Override
    public ManagedChannel shutdown() {
        batcher.close();
        delegate.shutdown();
        return this;
    }

    @Override
    public ManagedChannel shutdownNow() {
        batcher.close();
        delegate.shutdownNow();
        return this;
    }

    @Override
    public boolean isShutdown() {
        return delegate.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return delegate.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return delegate.awaitTermination(timeout, unit);
    }

    @Override
    public ConnectivityState getState(boolean requestConnection) {
        return delegate.getState(requestConnection);
    }

    @Override
    public void notifyWhenStateChanged(ConnectivityState source, Runnable callback) {
        delegate.notifyWhenStateChanged(source, callback);
    }

    @Override
    public void resetConnectBackoff() {
        delegate.resetConnectBackoff();
    }

    @Override
    public void enterIdle() {
        delegate.enterIdle();
    }
}
