package io.kvorum.jepsen.harness;

import io.kvorum.client.KvorumClient;
import io.kvorum.client.KvorumClientBuilder;
import io.kvorum.jepsen.net.Network;
import io.kvorum.jepsen.run.Retry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A cluster of real kvorum-server processes on loopback whose every peer link passes through
 * a {@link Network} of proxies. Closing it kills every process it started (by handle) and
 * closes the proxies.
 *
 * <p>With a {@link Topology}, each node runs with its datacenter label, every link between
 * datacenters carries the WAN delay, and observers join once the voters have founded the
 * cluster. A node reaches its peers only at the addresses of its own {@code --initial-cluster}
 * (the proxies), and the founders bootstrap every member listed there as a voter; so the
 * founders list the observers too (to reach them through proxies), and each observer id is
 * then removed as a voter and added back as an observer before its node first starts. It
 * never ran as a voter, so it never voted.
 */
public final class ProcessCluster implements AutoCloseable {
    private static final Duration SETUP = Duration.ofSeconds(180);

    private final ClusterSpec spec;
    private final Map<Long, ServerProcess> nodes = new TreeMap<>();
    private final Network network;
    /** Kills the servers if this JVM is stopped (Ctrl-C, SIGTERM) before {@link #close}: no orphans. */
    private final Thread reaper = new Thread(this::destroyAll, "process-cluster-reaper");

    private ProcessCluster(ClusterSpec spec, Path dir) throws IOException {
        this.spec = spec;
        Map<Long, InetSocketAddress> peers = new TreeMap<>();
        Map<Long, int[]> ports = new TreeMap<>();
        // Held while the link proxies bind their own ports, so that none of them takes a server's.
        try (Ports reserved = Ports.reserve(3 * spec.size())) {
            int next = 0;
            for (long id = 1; id <= spec.size(); id++) {
                int[] p = {reserved.get(next++), reserved.get(next++), reserved.get(next++)};
                ports.put(id, p);
                peers.put(id, new InetSocketAddress("127.0.0.1", p[1]));
            }
            this.network = new Network(peers);
        }
        if (spec.topology() != null) {
            network.baseDelays(spec.topology()::delay);
        }
        for (long id = 1; id <= spec.size(); id++) {
            int[] p = ports.get(id);
            nodes.put(id, new ServerProcess(id, p[0], p[1], p[2], dir, spec, network.initialClusterFor(id)));
        }
    }

    /** Starts every node; {@code dir} holds their data dirs and logs. */
    public static ProcessCluster start(ClusterSpec spec, Path dir) throws IOException {
        ProcessCluster c = new ProcessCluster(spec, dir);
        Runtime.getRuntime().addShutdownHook(c.reaper);
        try {
            for (ServerProcess n : c.nodes.values()) {
                if (!spec.isObserver(n.id)) {
                    n.start();
                }
            }
            if (spec.topology() != null && !spec.topology().observers().isEmpty()) {
                c.addObservers(spec.topology());
            }
        } catch (InterruptedException e) {
            c.close();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while adding the observers", e);
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** Turns each observer id from a founding voter into an observer, then starts its node. */
    private void addObservers(Topology t) throws IOException, InterruptedException {
        List<Long> voters = t.voters();
        awaitFoundersLeader(voters);
        KvorumClientBuilder b = KvorumClient.builder().endpoints(voters.stream().map(id -> node(id).clientAddress())
                .toArray(String[]::new));
        try (KvorumClient admin = (spec.security() == null ? b : spec.security().apply(b, false)).build()) {
            for (long id : t.observers()) {
                // Membership calls are not deduplicated: each retry looks first at what happened.
                Retry.until(SETUP, () -> {
                    if (membership().map(m -> m.voters().contains(id)).orElse(true)) {
                        admin.cluster().removeMember(id);
                    }
                    return null;
                });
                Retry.until(SETUP, () -> {
                    if (!membership().map(m -> m.learners().contains(id)).orElse(false)) {
                        admin.cluster().addObserver(id, "127.0.0.1:" + node(id).peerPort);
                    }
                    return null;
                });
                node(id).start();
            }
        }
    }

    /**
     * Waits for the founders to elect a leader. Until the observers are turned into observers
     * they count as founding voters, so every founder is needed: one that exited at start (on a
     * shared machine another program can take a port between its choice and its use) is
     * started again on its data.
     */
    private void awaitFoundersLeader(List<Long> voters) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + SETUP.toNanos();
        while (true) {
            for (long id : voters) {
                if (!node(id).isRunning()) {
                    node(id).start();
                }
            }
            try {
                awaitLeader(Duration.ofSeconds(15), voters);
                return;
            } catch (IllegalStateException notYet) {
                if (System.nanoTime() > deadline) {
                    throw notYet;
                }
            }
        }
    }

    /** The membership the leader has applied, when a leader answers. */
    private Optional<NodeStatus> membership() {
        return leader().flatMap(l -> node(l).status());
    }

    public ClusterSpec spec() {
        return spec;
    }

    /** The cluster's datacenters, or null when it has none. */
    public Topology topology() {
        return spec.topology();
    }

    public Network network() {
        return network;
    }

    public ServerProcess node(long id) {
        ServerProcess n = nodes.get(id);
        if (n == null) {
            throw new IllegalArgumentException("no node " + id);
        }
        return n;
    }

    public Collection<ServerProcess> nodes() {
        return nodes.values();
    }

    public List<Long> ids() {
        return new ArrayList<>(nodes.keySet());
    }

    /** The nodes meant to vote: every node but the observers. */
    public List<Long> voterIds() {
        List<Long> out = ids();
        out.removeIf(spec::isObserver);
        return out;
    }

    /** Every node's status right now (absent for a node that does not answer). */
    public Map<Long, Optional<NodeStatus>> statuses() {
        Map<Long, Optional<NodeStatus>> out = new TreeMap<>();
        for (ServerProcess n : nodes.values()) {
            out.put(n.id, n.isRunning() && !n.isPaused() ? n.status() : Optional.empty());
        }
        return out;
    }

    /**
     * The leader among {@code among} right now: a node there that says it leads, the highest term
     * winning (a deposed leader may not know yet). Empty when none does.
     */
    public Optional<Long> leader(Collection<Long> among) {
        NodeStatus best = null;
        for (long id : among) {
            ServerProcess n = node(id);
            if (!n.isRunning() || n.isPaused()) {
                continue;
            }
            Optional<NodeStatus> s = n.status();
            if (s.isPresent() && s.get().isLeader() && (best == null || s.get().term() > best.term())) {
                best = s.get();
            }
        }
        return Optional.ofNullable(best).map(NodeStatus::id);
    }

    public Optional<Long> leader() {
        return leader(nodes.keySet());
    }

    /**
     * Waits until a node among {@code among} leads and every other running node among them
     * follows it: a leader the group agrees on, not just one that thinks it leads.
     */
    public long awaitLeader(Duration timeout, Collection<Long> among) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<Long> leader = leader(among);
            if (leader.isPresent() && agreed(leader.get(), among)) {
                return leader.get();
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("no agreed leader among " + among + " within " + timeout + ": " + statuses());
    }

    public long awaitLeader(Duration timeout) throws InterruptedException {
        return awaitLeader(timeout, nodes.keySet());
    }

    private boolean agreed(long leader, Collection<Long> among) {
        for (long id : among) {
            ServerProcess n = node(id);
            if (id == leader || !n.isRunning() || n.isPaused()) {
                continue;
            }
            Optional<NodeStatus> s = n.status();
            if (s.isEmpty() || s.get().leaderId() != leader) {
                return false;
            }
        }
        return true;
    }

    private void destroyAll() {
        for (ServerProcess n : nodes.values()) {
            n.destroy();
        }
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs (or ran) anyway
        }
        for (ServerProcess n : nodes.values()) {
            try {
                n.kill();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                // keep stopping the others
            }
        }
        network.close();
    }
}
