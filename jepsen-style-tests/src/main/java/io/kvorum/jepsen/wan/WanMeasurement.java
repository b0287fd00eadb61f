package io.kvorum.jepsen.wan;

import io.kvorum.client.KvorumClient;
import io.kvorum.client.NodeExistsException;
import io.kvorum.client.RequestOptions;
import io.kvorum.jepsen.failover.FailoverMeasurement;
import io.kvorum.jepsen.harness.ClusterSpec;
import io.kvorum.jepsen.harness.ProcessCluster;
import io.kvorum.jepsen.harness.Topology;
import io.kvorum.jepsen.net.Grudge;
import io.kvorum.jepsen.net.Partitions;
import io.kvorum.jepsen.run.Retry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A cluster placed in datacenters with a simulated WAN, measured from each datacenter: real
 * servers on loopback, every raft link between datacenters delayed by the harness's TCP proxies
 * and every client link too (a client in dcN reaches dcN's nodes at once and the others across
 * the WAN: {@link SiteLinks}). For each site, one client in it runs sequential writes, then
 * linearizable reads, then serializable reads, each for a fixed time after a short warm-up;
 * reads go to the site's own members (the observer, in the observer's site), writes to the
 * leader. Then the leader's whole datacenter is cut off (raft and client links alike) a few
 * times; each time, a client in another datacenter starts a write every
 * {@value #PROBE_EVERY_MILLIS} ms, and the figure is the time from the cut to the first that
 * succeeds. Healed, leader placement brings leadership back before the next cut.
 */
public final class WanMeasurement {
    static final long PROBE_EVERY_MILLIS = 10;
    private static final Duration PATIENCE = Duration.ofSeconds(120);
    private static final long GIVE_UP_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final int WARM_UP_OPS = 30;

    /** One measured kind of operation from one site: latencies in ms of those that succeeded, sorted. */
    public record Row(String operation, String site, String servedBy, List<Double> sortedMillis, int errors) {
        public double quantile(double q) {
            int i = (int) Math.ceil(q * sortedMillis.size()) - 1;
            return sortedMillis.get(Math.max(0, Math.min(sortedMillis.size() - 1, i)));
        }

        public String line() {
            return String.format(Locale.ROOT, "| %s from %s (%s) | %d | %d | %.1f | %.1f |", operation, site,
                    servedBy, sortedMillis.size(), errors, quantile(0.5), quantile(0.99));
        }
    }

    /** One cut of the leader's datacenter: when a survivor first led, and when a write first succeeded. */
    public record Failover(String lostDatacenter, Double electedMillis, double writeMillis) {
        public String line() {
            return String.format(Locale.ROOT, "%s cut off: a new leader after %s, writes again after %.0f ms",
                    lostDatacenter, electedMillis == null ? "(not seen)" : String.format(Locale.ROOT, "%.0f ms",
                            electedMillis), writeMillis);
        }
    }

    public record Result(List<Row> rows, List<Failover> failovers) {
    }

    private WanMeasurement() {
    }

    public static Result run(ClusterSpec spec, Path dir, Duration each, int cuts, Duration attemptTimeout,
                             Consumer<String> log) throws Exception {
        Topology t = spec.topology();
        if (t == null) {
            throw new IllegalArgumentException("the measurement needs a cluster placed in datacenters");
        }
        List<Row> rows = new ArrayList<>();
        List<Failover> failovers = new ArrayList<>();
        List<SiteLinks> sites = new ArrayList<>();
        List<KvorumClient> clients = new ArrayList<>();
        try (ProcessCluster cluster = ProcessCluster.start(spec, dir)) {
            for (String dc : t.byDatacenter().keySet()) {
                sites.add(new SiteLinks(dc, cluster));
            }
            awaitPreferredLeader(cluster);
            for (var n : cluster.nodes()) {
                // A node that died at start (e.g. its port taken meanwhile) would skew every figure.
                if (!n.isRunning()) {
                    throw new IllegalStateException(n + " exited at start; see " + n.log());
                }
            }
            for (SiteLinks site : sites) {
                KvorumClient c = site.client(attemptTimeout);
                clients.add(c);
                String path = "/wan-" + site.site();
                Retry.until(PATIENCE, () -> {
                    try {
                        return c.create(path, bytes("0"));
                    } catch (NodeExistsException createdByAnEarlierAttempt) {
                        return null;
                    }
                });
                String servedBy = servedBy(t, site.site());
                AtomicLong n = new AtomicLong();
                rows.add(measure("write", site.site(), "the leader", each,
                        () -> c.set(path, bytes(Long.toString(n.incrementAndGet())))));
                rows.add(measure("linearizable read", site.site(), servedBy, each, () -> c.get(path)));
                rows.add(measure("serializable read", site.site(), servedBy, each,
                        () -> c.get(path, RequestOptions.serializable())));
                for (int i = rows.size() - 3; i < rows.size(); i++) {
                    log.accept(rows.get(i).line());
                }
            }
            for (int round = 1; round <= cuts; round++) {
                Failover f = cutLeaderDatacenter(cluster, sites, clients, round);
                failovers.add(f);
                log.accept("cut " + round + " of " + cuts + ": " + f.line());
            }
        } finally {
            clients.forEach(KvorumClient::close);
            sites.forEach(SiteLinks::close);
        }
        return new Result(rows, failovers);
    }

    /** What serves a site's reads: its voters, or its observer. */
    private static String servedBy(Topology t, String site) {
        Set<Long> members = t.byDatacenter().get(site);
        boolean observers = t.observers().containsAll(members);
        return (observers ? "observer " : members.size() > 1 ? "voters " : "voter ") + members;
    }

    private static Row measure(String operation, String site, String servedBy, Duration each, Runnable op) {
        for (int i = 0; i < WARM_UP_OPS; i++) {
            Retry.until(PATIENCE, () -> {
                op.run();
                return null;
            });
        }
        List<Double> ms = new ArrayList<>();
        int errors = 0;
        long end = System.nanoTime() + each.toNanos();
        while (System.nanoTime() < end) {
            long t0 = System.nanoTime();
            try {
                op.run();
                ms.add((System.nanoTime() - t0) / 1e6);
            } catch (RuntimeException e) {
                errors++; // counted, not timed: the row says how many
            }
        }
        if (ms.isEmpty()) {
            throw new IllegalStateException(operation + " from " + site + ": every one of " + errors + " failed");
        }
        ms.sort(Double::compare);
        return new Row(operation, site, servedBy, List.copyOf(ms), errors);
    }

    /** Waits for an agreed leader in the preferred datacenter (or any, without a preference). */
    private static long awaitPreferredLeader(ProcessCluster cluster) throws InterruptedException {
        Topology t = cluster.topology();
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (true) {
            long leader = cluster.awaitLeader(PATIENCE);
            if (!t.leaderPreference() || t.datacenterOf(leader).equals(Topology.PREFERRED)) {
                return leader;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("leadership did not move to " + Topology.PREFERRED + ": node "
                        + leader + " leads");
            }
            Thread.sleep(200);
        }
    }

    private static Failover cutLeaderDatacenter(ProcessCluster cluster, List<SiteLinks> sites,
                                                List<KvorumClient> clients, int round) throws Exception {
        Topology t = cluster.topology();
        long leader = awaitPreferredLeader(cluster);
        String lost = t.datacenterOf(leader);
        int writer = writerSite(t, sites, lost);
        KvorumClient client = clients.get(writer);
        String path = "/wan-" + sites.get(writer).site();
        Retry.until(PATIENCE, () -> client.set(path, bytes("steady-" + round)));
        Set<Long> gone = t.byDatacenter().get(lost);
        Grudge g = Partitions.datacenter(lost, t.byDatacenter());
        long cut = System.nanoTime();
        cluster.network().apply(g);
        sites.forEach(s -> s.cut(gone));
        List<Long> survivors = new ArrayList<>(cluster.ids());
        survivors.removeAll(gone);
        survivors.removeAll(t.observers());
        CompletableFuture<Long> elected = FailoverMeasurement.electedAfter(cluster, survivors, cut);
        double writeMillis = firstWriteAfter(client, path, cut, round) / 1e6;
        Long electedNanos = elected.get(GIVE_UP_NANOS, TimeUnit.NANOSECONDS);
        cluster.network().apply(Grudge.none());
        sites.forEach(SiteLinks::healAll);
        return new Failover(lost, electedNanos == null ? null : electedNanos / 1e6, writeMillis);
    }

    /** The first site outside the lost datacenter that has voters (its client writes during the cut). */
    private static int writerSite(Topology t, List<SiteLinks> sites, String lost) {
        for (int i = 0; i < sites.size(); i++) {
            String dc = sites.get(i).site();
            if (!dc.equals(lost) && !t.observers().containsAll(t.byDatacenter().get(dc))) {
                return i;
            }
        }
        throw new IllegalStateException("no datacenter with voters besides " + lost);
    }

    /** Starts a write every few ms from {@code cut} on; nanoseconds until the first succeeds. */
    private static long firstWriteAfter(KvorumClient client, String path, long cut, int round) throws Exception {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread th = new Thread(r, "wan-failover-writes");
            th.setDaemon(true);
            return th;
        });
        try {
            return FailoverMeasurement.firstWriteAfter(client, timer, path, "after-cut-" + round, cut);
        } finally {
            timer.shutdownNow();
        }
    }

    /** The table of rows, in docs/multi-datacenter.md's form. */
    public static List<String> table(Result r) {
        List<String> out = new ArrayList<>();
        out.add("| operation from site (served by) | ops | errors | p50 ms | p99 ms |");
        out.add("|---|---:|---:|---:|---:|");
        r.rows().forEach(row -> out.add(row.line()));
        return out;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
