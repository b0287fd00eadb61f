package io.kvorum.jepsen.run;

import io.kvorum.client.ChannelFactory;
import io.kvorum.client.Endpoint;
import io.kvorum.client.EndpointPolicy;
import io.kvorum.client.KvorumClient;
import io.kvorum.client.KvorumClientBuilder;
import io.kvorum.jepsen.harness.ClusterSecurity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Makes the run's kv-client instances, all configured alike, and closes them at the end. Each
 * client thread gets its own client (its own id, write sequence, session and connections), as
 * separate applications would have.
 *
 * <p>Timeouts are generous for a loaded 2-core machine running three servers beside the test:
 * a call may take 5 s in all (then its outcome is unknown), one attempt 1.5 s before the call
 * moves to another node.
 *
 * <p>Against a secure cluster every client speaks TLS and logs in as root.
 */
public final class Clients implements AutoCloseable {
    public static final Duration DEADLINE = Duration.ofSeconds(5);
    private static final Duration ATTEMPT = Duration.ofMillis(1500);

    private final List<String> endpoints;
    private final ClusterSecurity security;
    /** Each endpoint's datacenter; empty when the cluster is not placed in datacenters. */
    private final Map<String, String> datacenters;
    /** The datacenters client threads are placed in, in turn (observers' sites first). */
    private final List<String> sites;
    private final List<KvorumClient> open = new ArrayList<>();

    public Clients(List<String> endpoints) {
        this(endpoints, null);
    }

    /** Clients of a cluster with {@code security} (null: plaintext, no login). */
    public Clients(List<String> endpoints, ClusterSecurity security) {
        this(endpoints, security, Map.of(), List.of());
    }

    /**
     * Clients of a cluster placed in datacenters: {@code datacenters} gives each endpoint's,
     * {@code sites} the datacenters {@link #openFor} places client threads in, in turn.
     */
    public Clients(List<String> endpoints, ClusterSecurity security, Map<String, String> datacenters,
                   List<String> sites) {
        this.endpoints = List.copyOf(endpoints);
        this.security = security;
        this.datacenters = Map.copyOf(datacenters);
        this.sites = List.copyOf(sites);
    }

    public List<String> endpoints() {
        return endpoints;
    }

    /** A client over every node, round robin. */
    public KvorumClient open() {
        return track(builder().endpoints(endpoints.toArray(String[]::new)).build());
    }

    /**
     * Client thread {@code index}'s client. In a cluster placed in datacenters it is a client of
     * the {@code index}-th site (in turn): its reads go to that datacenter's members (an
     * observer's site: the observer) while one is healthy, its writes to the leader; its calls
     * are unary, so the nodes' metrics say who served them. Otherwise
     * {@link #open()}.
     */
    public KvorumClient openFor(int index) {
        if (sites.isEmpty()) {
            return open();
        }
        // Unary calls rather than a Batch stream: each node's /metrics then counts the gets it served.
        KvorumClientBuilder b = builder().localDatacenter(sites.get(index % sites.size())).batching(false);
        for (String e : endpoints) {
            b.endpoints(Endpoint.of(e).inDatacenter(datacenters.getOrDefault(e, "")));
        }
        return track(b.build());
    }

    /** A client over every node whose channels come from {@code channels} (to tap or cut them). */
    public KvorumClient open(ChannelFactory channels) {
        if (security != null) {
            throw new UnsupportedOperationException("a secure run's clients use the client's own TLS channels: "
                    + "this workload taps its channels and cannot run secure");
        }
        return track(builder().endpoints(endpoints.toArray(String[]::new)).channelFactory(channels).build());
    }

    /**
     * A client that sends everything to {@code home} while it is healthy and fails over to the
     * others otherwise: clients "on different nodes", so writes also enter through followers.
     */
    public KvorumClient openPreferring(String home) {
        if (!endpoints.contains(home)) {
            throw new IllegalArgumentException(home + " is not one of " + endpoints);
        }
        KvorumClientBuilder b = builder().endpointPolicy(EndpointPolicy.PREFER_LOCAL).localDatacenter("home");
        for (String e : endpoints) {
            b.endpoints(Endpoint.of(e).inDatacenter(e.equals(home) ? "home" : "away"));
        }
        return track(b.build());
    }

    private KvorumClientBuilder builder() {
        KvorumClientBuilder b = KvorumClient.builder().defaultDeadline(DEADLINE).attemptTimeout(ATTEMPT)
                .retryBackoff(Duration.ofMillis(20), Duration.ofMillis(500))
                .endpointBackoff(Duration.ofMillis(200), Duration.ofSeconds(2));
        return security == null ? b : security.apply(b, true);
    }

    private synchronized KvorumClient track(KvorumClient c) {
        open.add(c);
        return c;
    }

    /**
     * Closes one client in the background (closing its sessions may wait for its deadline when
     * the cluster cannot be reached); it is no longer closed at the end.
     */
    public void closeLater(KvorumClient c) {
        synchronized (this) {
            open.removeIf(x -> x == Objects.requireNonNull(c));
        }
        Thread t = new Thread(() -> closeQuietly(c), "close-client");
        t.setDaemon(true);
        t.start();
    }

    /** Closes every client still open, in parallel: each may wait for its sessions' close. */
    @Override
    public void close() {
        List<KvorumClient> all;
        synchronized (this) {
            all = new ArrayList<>(open);
            open.clear();
        }
        List<Thread> closing = new ArrayList<>();
        for (KvorumClient c : all) {
            Thread t = new Thread(() -> closeQuietly(c), "close-client");
            t.setDaemon(true);
            t.start();
            closing.add(t);
        }
        for (Thread t : closing) {
            try {
                t.join(DEADLINE.toMillis() * 2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void closeQuietly(KvorumClient c) {
        try {
            c.close();
        } catch (RuntimeException e) {
            // best effort: an unclosed session expires after its TTL
        }
    }
}
