package io.kvorum.client;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import java.util.concurrent.TimeUnit;

/**
 * One endpoint as the client tracks it: its channel (made on first use) and its health. An
 * endpoint that failed is "in backoff" for a jittered, growing period, during which routing
 * skips it unless nothing else is left.
 */
final class EndpointState {
    final Endpoint endpoint;
    /** False for an address learned from a leader hint: used when named, never rotated to. */
    final boolean configured;
    private final ChannelFactory channels;
    private final Backoff backoff;

    private ManagedChannel channel;
    private int consecutiveFailures;
    private long backoffUntilNanos;
    private boolean closed;

    EndpointState(Endpoint endpoint, boolean configured, ChannelFactory channels, Backoff backoff) {
        this.endpoint = endpoint;
        this.configured = configured;
        this.channels = channels;
        this.backoff = backoff;
    }

    String address() {
        return endpoint.address();
    }

    /**
     * The channel, made on first use. A channel whose connection failed waits out gRPC's own
     * reconnect backoff (up to two minutes) and fails calls at once meanwhile; our health
     * backoff already paces us, so when we choose this endpoint again we ask for a connection
     * now. That is what lets a client recover within a second or two of its nodes returning.
     */
    synchronized ManagedChannel channel() {
        if (closed) {
            throw new ClientClosedException("the Kvorum client is closed");
        }
        if (channel == null) {
            channel = channels.create(endpoint.address());
        } else if (channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
            channel.resetConnectBackoff();
        }
        return channel;
    }

    /** Records a failure to reach or get an answer from this endpoint: it sits out a backoff. */
    synchronized void failed() {
        consecutiveFailures++;
        backoffUntilNanos = System.nanoTime() + backoff.delayNanos(consecutiveFailures);
    }

    /** Records an answer from this endpoint: healthy again. */
    synchronized void succeeded() {
        consecutiveFailures = 0;
        backoffUntilNanos = 0;
    }

    synchronized boolean available(long nowNanos) {
        return consecutiveFailures == 0 || nowNanos - backoffUntilNanos >= 0;
    }

    synchronized long backoffUntilNanos() {
        return backoffUntilNanos;
    }

    synchronized int consecutiveFailures() {
        return consecutiveFailures;
    }

    /** Shuts the channel down, waiting briefly for calls to end. */
    void close() {
        ManagedChannel c;
        synchronized (this) {
            closed = true;
            c = channel;
            channel = null;
        }
        if (c != null) {
            c.shutdownNow();
            try {
                c.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return endpoint.address();
    }
}
