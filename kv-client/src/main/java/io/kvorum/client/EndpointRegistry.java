package io.kvorum.client;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The endpoints the client knows: the configured ones, which routing rotates over, and the
 * addresses learned from leader hints, which are used only when a hint names them.
 */
final class EndpointRegistry {
    private final List<EndpointState> configured;
    private final Map<String, EndpointState> byAddress = new LinkedHashMap<>();
    private final EndpointSelector selector;
    private final ChannelFactory channels;
    private final Backoff healthBackoff;
    private final ScheduledExecutorService scheduler;

    EndpointRegistry(List<Endpoint> endpoints, EndpointPolicy policy, String localDatacenter, ChannelFactory channels,
                     Backoff healthBackoff, ScheduledExecutorService scheduler) {
        this.channels = channels;
        this.healthBackoff = healthBackoff;
        this.scheduler = scheduler;
        List<EndpointState> list = new ArrayList<>();
        for (Endpoint e : endpoints) {
            EndpointState s = new EndpointState(e, true, channels, healthBackoff, scheduler);
            list.add(s);
            byAddress.put(e.address(), s);
        }
        this.configured = List.copyOf(list);
        this.selector = EndpointSelector.of(policy, configured, localDatacenter);
    }

    List<EndpointState> configured() {
        return configured;
    }

    List<String> addresses() {
        List<String> out = new ArrayList<>();
        for (EndpointState e : configured) {
            out.add(e.address());
        }
        return out;
    }

    /**
     * The endpoint for the next attempt: by the policy among the healthy configured endpoints,
     * other than {@code avoid} (the one that just failed) when there is another. When every
     * endpoint is in backoff, the one whose backoff ends first: someone has to be tried, and the
     * caller's own backoff paces how often.
     */
    EndpointState pick(EndpointState avoid) {
        long now = System.nanoTime();
        List<EndpointState> up = new ArrayList<>(configured.size());
        for (EndpointState e : configured) {
            if (e.available(now)) {
                up.add(e);
            }
        }
        if (up.size() > 1 && avoid != null) {
            up.remove(avoid);
        }
        if (!up.isEmpty()) {
            return selector.pick(up);
        }
        EndpointState soonest = null;
        for (EndpointState e : configured) {
            if (e == avoid && configured.size() > 1) {
                continue;
            }
            if (soonest == null || e.backoffUntilNanos() - soonest.backoffUntilNanos() < 0) {
                soonest = e;
            }
        }
        return soonest;
    }

    /** The endpoint at {@code address}: a configured one, or one learned from a leader hint. */
    synchronized EndpointState forAddress(String address) {
        return byAddress.computeIfAbsent(address,
                a -> new EndpointState(Endpoint.of(a), false, channels, healthBackoff, scheduler));
    }

    void close() {
        List<EndpointState> all;
        synchronized (this) {
            all = new ArrayList<>(byAddress.values());
        }
        for (EndpointState e : all) {
            e.close();
        }
    }
}
