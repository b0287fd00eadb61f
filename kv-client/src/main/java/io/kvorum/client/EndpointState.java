package io.kvorum.client;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One endpoint as the client tracks it: its channel (made on first use) and its health.
 *
 * <p>An endpoint is skipped by routing while it is in backoff (a jittered, growing period after
 * each failure) or while its channel is in TRANSIENT_FAILURE. The second matters because gRPC's
 * pick-first keeps a failed channel in TRANSIENT_FAILURE until a reconnect succeeds (gRFC A62,
 * "sticky" failure), failing calls at once meanwhile, and its own reconnect backoff grows to two
 * minutes. So while the channel is down, a probe asks it to reconnect now and then (on the same
 * backoff schedule); once it is connected again routing uses it. That is how a client notices
 * within a few seconds that nodes came back, without sending real calls into a dead connection.
 */
final class EndpointState {
    final Endpoint endpoint;
    /** False for an address learned from a leader hint: used when named, never rotated to. */
    final boolean configured;
    private final ChannelFactory channels;
    private final Backoff backoff;
    private final ScheduledExecutorService scheduler;

    private ManagedChannel channel;
    private int consecutiveFailures;
    private long backoffUntilNanos;
    private boolean probing;
    private int probes;
    private boolean closed;

    EndpointState(Endpoint endpoint, boolean configured, ChannelFactory channels, Backoff backoff,
                  ScheduledExecutorService scheduler) {
        this.endpoint = endpoint;
        this.configured = configured;
        this.channels = channels;
        this.backoff = backoff;
        this.scheduler = scheduler;
    }

    String address() {
        return endpoint.address();
    }

    /** The channel, made on first use. A failed one is asked to reconnect now (we chose it as a last resort). */
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
        startProbing(backoffUntilNanos - System.nanoTime());
    }

    /** Records an answer from this endpoint: healthy again. */
    synchronized void succeeded() {
        consecutiveFailures = 0;
        backoffUntilNanos = 0;
    }

    /** Whether routing may use it now: not in backoff, and its connection is not known to be down. */
    synchronized boolean available(long nowNanos) {
        if (consecutiveFailures > 0 && nowNanos - backoffUntilNanos < 0) {
            return false;
        }
        if (channel != null && channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
            startProbing(0);
            return false;
        }
        return true;
    }

    synchronized long backoffUntilNanos() {
        return backoffUntilNanos;
    }

    synchronized int consecutiveFailures() {
        return consecutiveFailures;
    }

    private void startProbing(long delayNanos) {
        if (probing || scheduler == null || channel == null || closed) {
            return;
        }
        probing = true;
        probes = 0;
        schedule(probeDelay(delayNanos));
    }

    /** Probe a little before the backoff ends, so the connection is up by the time routing returns. */
    private static long probeDelay(long delayNanos) {
        return delayNanos - Math.min(delayNanos / 2, TimeUnit.MILLISECONDS.toNanos(100));
    }

    private void schedule(long delayNanos) {
        try {
            scheduler.schedule(this::probe, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closing) {
            probing = false;
        }
    }

    private synchronized void probe() {
        if (closed || channel == null) {
            probing = false;
            return;
        }
        ConnectivityState s = channel.getState(true); // true: an idle channel starts connecting
        if (s == ConnectivityState.READY || s == ConnectivityState.IDLE || s == ConnectivityState.SHUTDOWN) {
            probing = false;
            return;
        }
        if (s == ConnectivityState.TRANSIENT_FAILURE) {
            channel.resetConnectBackoff();
        }
        schedule(probeDelay(backoff.delayNanos(++probes)));
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
