package io.kvorum.jepsen.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiFunction;

/**
 * A proxy on every directed link between the given nodes. Node A is started with
 * {@link #initialClusterFor(long)}, in which every peer B's address is the A->B proxy (a node
 * reaches its peers only through its own --initial-cluster, whose addresses win over any the
 * log teaches it), so all raft traffic between nodes passes through a {@link LinkProxy}.
 */
public final class Network implements AutoCloseable {
    private final Map<Long, InetSocketAddress> peers;
    private final Map<Long, Map<Long, LinkProxy>> links = new TreeMap<>();
    private volatile Grudge grudge = Grudge.none();
    /** Each link's delay when no fault is on: a WAN between datacenters, or none. */
    private volatile BiFunction<Long, Long, Duration> baseDelay = (a, b) -> Duration.ZERO;

    /** @param peers each node's real peer-listen address */
    public Network(Map<Long, InetSocketAddress> peers) throws IOException {
        this.peers = new TreeMap<>(peers);
        try {
            for (long a : this.peers.keySet()) {
                for (long b : this.peers.keySet()) {
                    if (a != b) {
                        links.computeIfAbsent(a, k -> new TreeMap<>()).put(b,
                                new LinkProxy(a + "->" + b, this.peers.get(b)));
                    }
                }
            }
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    public Set<Long> nodes() {
        return peers.keySet();
    }

    public LinkProxy link(long from, long to) {
        LinkProxy l = links.getOrDefault(from, Map.of()).get(to);
        if (l == null) {
            throw new IllegalArgumentException("no link " + from + "->" + to);
        }
        return l;
    }

    /** {@code --initial-cluster} for node {@code a}: itself at its real address, every peer via a proxy. */
    public String initialClusterFor(long a) {
        StringBuilder b = new StringBuilder();
        for (long id : peers.keySet()) {
            String address = id == a ? hostPort(peers.get(id)) : "127.0.0.1:" + link(a, id).port();
            b.append(b.length() == 0 ? "" : ",").append(id).append('=').append(address);
        }
        return b.toString();
    }

    private static String hostPort(InetSocketAddress a) {
        return a.getHostString() + ":" + a.getPort();
    }

    /** Cuts exactly the grudge's links and opens all others. */
    public synchronized void apply(Grudge g) {
        for (Map.Entry<Long, Map<Long, LinkProxy>> from : links.entrySet()) {
            for (Map.Entry<Long, LinkProxy> to : from.getValue().entrySet()) {
                if (g.isCut(from.getKey(), to.getKey())) {
                    to.getValue().cut();
                } else if (to.getValue().mode() != LinkMode.OPEN) {
                    to.getValue().heal();
                }
            }
        }
        grudge = g;
    }

    public Grudge grudge() {
        return grudge;
    }

    /** Like {@link #apply} but silently dropping bytes instead of freezing them. */
    public synchronized void blackhole(Grudge g) {
        apply(Grudge.none());
        for (Map.Entry<Long, Map<Long, LinkProxy>> from : links.entrySet()) {
            for (Map.Entry<Long, LinkProxy> to : from.getValue().entrySet()) {
                if (g.isCut(from.getKey(), to.getKey())) {
                    to.getValue().blackhole();
                }
            }
        }
        grudge = g;
    }

    /** Opens every link and puts every delay back to its base. */
    public synchronized void healAll() {
        apply(Grudge.none());
        restoreDelays();
    }

    public void delayAll(Duration d) {
        forEach(l -> l.delay(d));
    }

    /** Delays the link {@code from -> to} by {@code d} (both directions of its connections). */
    public void delay(long from, long to, Duration d) {
        link(from, to).delay(d);
    }

    /**
     * Sets each link's base delay, {@code base.apply(from, to)}, and applies it: what the links
     * return to when a latency fault ends (e.g. the WAN between datacenters).
     */
    public synchronized void baseDelays(BiFunction<Long, Long, Duration> base) {
        baseDelay = base;
        restoreDelays();
    }

    /** Every link back to its base delay. */
    public synchronized void restoreDelays() {
        for (Map.Entry<Long, Map<Long, LinkProxy>> from : links.entrySet()) {
            for (Map.Entry<Long, LinkProxy> to : from.getValue().entrySet()) {
                to.getValue().delay(baseDelay.apply(from.getKey(), to.getKey()));
            }
        }
    }

    /** Resets every connection on every link (the nodes reconnect). */
    public void resetAll() {
        forEach(LinkProxy::resetConnections);
    }

    private void forEach(java.util.function.Consumer<LinkProxy> f) {
        for (Map<Long, LinkProxy> m : links.values()) {
            m.values().forEach(f);
        }
    }

    @Override
    public void close() {
        forEach(LinkProxy::close);
    }
}
