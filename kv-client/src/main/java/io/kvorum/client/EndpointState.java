package io.kvorum.client;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One endpoint as the client tracks it: its channel (made on first use) and its health.
 *
 * <p>Outlier ejection: an endpoint that failed (unreachable, an attempt that timed out, a node
 * that cannot reach a leader) is taken out of routing at once and comes back only after a
 * {@linkplain HealthProbe probe} succeeds (or a call sent to it as a last resort succeeds).
 * Probes run on a jittered, growing schedule (the endpoint backoff) while it stays down, so a
 * hung or partitioned node costs each client one failed attempt, not one per backoff period.
 * A channel in TRANSIENT_FAILURE counts as failed too: gRPC's pick-first keeps a failed channel
 * there until a reconnect succeeds (gRFC A62, "sticky" failure) with a reconnect backoff that
 * grows to two minutes, so a probe asks it to reconnect now.
 *
 * <p>A read that waited here while a hedged copy of it was answered elsewhere counts as a lost
 * hedge; two in a row (no answer from here in between) eject the endpoint too.
 *
 * <p>Thread-safe: the routing checks ({@link #available}, {@link #succeeded} when healthy) read
 * volatile fields only; state changes take the lock.
 */
final class EndpointState {
    /** Asks a node whether it can serve (true), e.g. a linearizable read with a short deadline. */
    @FunctionalInterface
    interface HealthProbe {
        CompletableFuture<Boolean> probe(ManagedChannel channel);
    }

    final Endpoint endpoint;
    /** False for an address learned from the cluster or a leader hint rather than configured. */
    final boolean configured;
    private final ChannelFactory channels;
    private final Backoff backoff;
    private final ScheduledExecutorService scheduler;
    private final HealthProbe probe;

    /** The datacenter the node announced to the cluster (its {@code --datacenter}); empty until learned. */
    private volatile String announcedDatacenter = "";
    private volatile ManagedChannel channel;
    private volatile boolean healthy = true;
    /** Reads hedged away from this endpoint that the hedge won, since its last answer. */
    private volatile int hedgesLost;
    private int consecutiveFailures;
    private long nextProbeNanos;
    private boolean probing;
    /** The probe waiting to run, while one is scheduled. */
    private ScheduledFuture<?> scheduledProbe;
    private boolean probeInFlight;
    /** {@link #probeSoon} came while a probe was in flight: should it fail, the next runs at once. */
    private boolean probeAgainAtOnce;
    private volatile boolean closed;

    EndpointState(Endpoint endpoint, boolean configured, ChannelFactory channels, Backoff backoff,
                  ScheduledExecutorService scheduler, HealthProbe probe) {
        this.endpoint = endpoint;
        this.configured = configured;
        this.channels = channels;
        this.backoff = backoff;
        this.scheduler = scheduler;
        this.probe = probe;
    }

    String address() {
        return endpoint.address();
    }

    /**
     * The datacenter routing places this endpoint in: the one the node announced when the member
     * list has it (the server knows where it runs), else the one it was configured with (may be null).
     */
    String datacenter() {
        String announced = announcedDatacenter;
        return announced.isEmpty() ? endpoint.datacenter() : announced;
    }

    /** Records the datacenter the member list reports for this node (empty: none announced). */
    void announcedDatacenter(String datacenter) {
        announcedDatacenter = datacenter;
    }

    /** The channel, made on first use. A failed one is asked to reconnect now (we chose it as a last resort). */
    ManagedChannel channel() {
        ManagedChannel c = channel;
        if (c != null && !closed) {
            if (c.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
                c.resetConnectBackoff();
            }
            return c;
        }
        synchronized (this) {
            if (closed) {
                throw new ClientClosedException("the Kvorum client is closed");
            }
            if (channel == null) {
                channel = channels.create(endpoint.address());
            }
            return channel;
        }
    }

    /** Records a failure to reach or get service from this endpoint: out of routing until a probe succeeds. */
    synchronized void failed() {
        consecutiveFailures++;
        healthy = false;
        long delay = backoff.delayNanos(consecutiveFailures);
        nextProbeNanos = System.nanoTime() + delay;
        startProbing(delay);
    }

    /**
     * Leadership just settled (the client learned of a new leader): an endpoint out of routing
     * because it had no leader or could not reach it may serve again, so its next probe runs now
     * instead of at its backoff's turn.
     */
    synchronized void probeSoon() {
        if (healthy || closed) {
            return;
        }
        if (probeInFlight) {
            probeAgainAtOnce = true; // it may have asked before the news: if it fails, ask again
            return;
        }
        if (scheduledProbe == null || !scheduledProbe.cancel(false)) {
            return;
        }
        consecutiveFailures = Math.min(consecutiveFailures, 1);
        nextProbeNanos = System.nanoTime();
        schedule(0);
    }

    /** Records an answer from this endpoint: healthy again. */
    void succeeded() {
        if (hedgesLost != 0) {
            hedgesLost = 0;
        }
        if (healthy) {
            return;
        }
        synchronized (this) {
            consecutiveFailures = 0;
            nextProbeNanos = 0;
            healthy = true;
        }
    }

    /**
     * A read waiting here was answered sooner by a copy sent elsewhere (a hedge). Two in a row
     * without an answer from here in between: hung or far slower than the rest, so it is
     * ejected like an endpoint whose attempt timed out (its probe brings it back when it answers).
     */
    void lostHedge() {
        synchronized (this) {
            if (++hedgesLost >= 2) {
                hedgesLost = 0;
                failed();
            }
        }
    }

    /** Whether routing may use it now: not ejected, and its connection is not known to be down. */
    boolean available() {
        if (!healthy) {
            return false;
        }
        ManagedChannel c = channel;
        if (c != null && c.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
            failed();
            return false;
        }
        return true;
    }

    /** When the next probe of an ejected endpoint is due (System.nanoTime). */
    synchronized long nextProbeNanos() {
        return nextProbeNanos;
    }

    synchronized int consecutiveFailures() {
        return consecutiveFailures;
    }

    private void startProbing(long delayNanos) {
        if (probing || scheduler == null || probe == null || closed) {
            return;
        }
        probing = true;
        schedule(delayNanos);
    }

    private void schedule(long delayNanos) {
        try {
            scheduledProbe = scheduler.schedule(this::probe, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closing) {
            scheduledProbe = null;
            probing = false;
        }
    }

    private void probe() {
        ManagedChannel c;
        synchronized (this) {
            scheduledProbe = null;
            if (closed || healthy) {
                probing = false;
                return;
            }
            probeInFlight = true;
        }
        try {
            c = channel();
        } catch (RuntimeException closing) {
            synchronized (this) {
                probing = false;
                probeInFlight = false;
            }
            return;
        }
        c.getState(true); // an idle channel starts connecting
        probe.probe(c).whenComplete((ok, error) -> probed(error == null && Boolean.TRUE.equals(ok)));
    }

    private synchronized void probed(boolean ok) {
        probeInFlight = false;
        if (ok) {
            probeAgainAtOnce = false;
            probing = false;
            consecutiveFailures = 0;
            nextProbeNanos = 0;
            healthy = true;
            return;
        }
        if (closed || healthy) {
            probing = false;
            return;
        }
        if (probeAgainAtOnce) {
            probeAgainAtOnce = false;
            consecutiveFailures = Math.min(consecutiveFailures, 1);
            nextProbeNanos = System.nanoTime();
            schedule(0);
            return;
        }
        consecutiveFailures++;
        long delay = backoff.delayNanos(consecutiveFailures);
        nextProbeNanos = System.nanoTime() + delay;
        schedule(delay);
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
