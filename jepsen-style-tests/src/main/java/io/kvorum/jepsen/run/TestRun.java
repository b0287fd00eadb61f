package io.kvorum.jepsen.run;

import io.kvorum.client.KvorumClient;
import io.kvorum.jepsen.checker.AvailabilityChecker;
import io.kvorum.jepsen.checker.CheckResult;
import io.kvorum.jepsen.checker.Checkers;
import io.kvorum.jepsen.checker.Verdict;
import io.kvorum.jepsen.harness.ClusterSecurity;
import io.kvorum.jepsen.harness.ClusterSpec;
import io.kvorum.jepsen.harness.ProcessCluster;
import io.kvorum.jepsen.harness.ServerProcess;
import io.kvorum.jepsen.harness.Topology;
import io.kvorum.jepsen.history.Event;
import io.kvorum.jepsen.history.HistoryReader;
import io.kvorum.jepsen.nemesis.FaultLog;
import io.kvorum.jepsen.nemesis.KvClusterAdmin;
import io.kvorum.jepsen.nemesis.NemesisSchedule;
import io.kvorum.jepsen.nemesis.Nemeses;
import io.kvorum.jepsen.nemesis.RunClock;
import io.kvorum.jepsen.report.FaultThroughput;
import io.kvorum.jepsen.report.ReportWriter;
import io.kvorum.jepsen.workload.Workload;
import io.kvorum.jepsen.workload.Workloads;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * One test from start to report: start real servers, set the workload up, run its clients
 * while the nemesis schedule injects faults, stop the clients, heal everything, wait for an
 * agreed leader, run the final reads, then check the history as written to disk (exactly what
 * {@code kvorum-jepsen check} would read) and write the report.
 */
public final class TestRun {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    /** How the run's errors about client threads start (the nemesis's and the final reads' do not). */
    private static final String CLIENT_PROBLEM = "client ";

    private TestRun() {
    }

    public static RunResult run(RunOptions o) throws Exception {
        Workload workload = Workloads.of(o.workload());
        Nemeses.parse(o.nemesis()); // refuse a bad name before starting anything
        Files.createDirectories(o.dir());
        Recorder recorder;
        FaultLog faults;
        long runNanos;
        List<String> errors = Collections.synchronizedList(new ArrayList<>());
        ClusterSpec spec = o.topology() != null ? ClusterSpec.of(o.topology()) : ClusterSpec.of(o.nodes());
        ClusterSecurity security = o.secure() ? ClusterSecurity.create(o.dir().resolve("tls"), o.nodes()) : null;
        if (security != null) {
            spec = spec.withSecurity(security);
        }
        try (ProcessCluster cluster = ProcessCluster.start(spec, o.dir().resolve("cluster"))) {
            cluster.awaitLeader(PATIENCE);
            List<String> endpoints = cluster.nodes().stream().map(ServerProcess::clientAddress).toList();
            if (security != null) {
                Retry.until(PATIENCE, () -> {
                    security.enableAuth(endpoints, Clients.DEADLINE);
                    return null;
                });
            }
            try (Clients clients = clientsOf(cluster, endpoints, security)) {
                KvorumClient admin = clients.open();
                Retry.until(PATIENCE, () -> {
                    workload.setup(admin);
                    return null;
                });
                // The history's clock starts with the operations: times in the report are run time.
                RunClock clock = new RunClock();
                recorder = new Recorder(clock);
                faults = new FaultLog(clock);
                NemesisSchedule schedule = new NemesisSchedule(Nemeses.of(o.nemesis(), cluster, new KvClusterAdmin(admin)),
                        new Random(o.seed()), NemesisSchedule.Timing.standard(), faults);
                RunContext ctx = new RunContext(recorder, clients, o.seed());
                List<Thread> threads = startClients(workload, o.concurrency(), ctx, errors);
                schedule.start();
                Thread.sleep(o.timeLimit().toMillis());
                runNanos = clock.now();
                ctx.stop();
                for (Throwable t : schedule.stopAndHeal()) {
                    errors.add("nemesis: " + t);
                }
                try {
                    cluster.awaitLeader(PATIENCE);
                } catch (IllegalStateException e) {
                    errors.add("after healing: " + e.getMessage()); // the final reads will show what it means
                }
                for (Thread t : threads) {
                    t.join(PATIENCE.toMillis());
                    if (t.isAlive()) {
                        errors.add(CLIENT_PROBLEM + "thread " + t.getName() + " still busy after the run; its operation stays open");
                    }
                }
                try {
                    workload.finish(ctx);
                } catch (Exception e) {
                    errors.add("final reads: " + e); // the checker says what the history lacks
                }
                saveMetrics(cluster, o.dir().resolve("cluster"));
            }
        }
        Path historyFile = o.dir().resolve("history.jsonl");
        writeHistory(historyFile, recorder.events());
        List<Event> history = HistoryReader.read(historyFile);
        long t0 = System.nanoTime();
        CheckResult result = Checkers.check(workload.model(), history, o.checkLimit());
        long checkMillis = (System.nanoTime() - t0) / 1_000_000;
        List<CheckResult> results = List.of(result, AvailabilityChecker.check(history, o.minimumAcknowledged()),
                clientThreads(errors));
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("workload", o.workload());
        meta.put("nemesis", o.nemesis());
        meta.put("timeLimitSeconds", o.timeLimit().toSeconds());
        meta.put("concurrency", (long) o.concurrency());
        meta.put("nodes", (long) o.nodes());
        if (o.topology() != null) {
            meta.put("datacenters", o.topology().describe());
        }
        meta.put("seed", o.seed());
        meta.put("operations", recorder.invocations());
        meta.put("checkMillis", checkMillis);
        meta.put("errors", List.copyOf(errors));
        FaultThroughput throughput = ReportWriter.write(o.dir(), o.workload() + " under " + o.nemesis(), history,
                results, faults.windows(), runNanos, meta);
        Verdict verdict = Verdict.VALID;
        for (CheckResult r : results) {
            verdict = verdict.and(r.verdict());
        }
        return new RunResult(verdict, results, recorder.invocations(), faults.windows(), throughput,
                checkMillis, List.copyOf(errors), o.dir());
    }

    /** Each node's final /metrics as {@code node-<id>.metrics}: what each served, how often each campaigned. */
    private static void saveMetrics(ProcessCluster cluster, Path dir) throws java.io.IOException {
        for (ServerProcess n : cluster.nodes()) {
            java.util.Optional<String> text = n.metrics();
            if (text.isPresent()) {
                Files.writeString(dir.resolve("node-" + n.id + ".metrics"), text.get());
            }
        }
    }

    /**
     * The run's clients; in a cluster placed in datacenters, client threads are spread over the
     * datacenters, the observers' sites first (so reads go through an observer from the first
     * thread on).
     */
    private static Clients clientsOf(ProcessCluster cluster, List<String> endpoints, ClusterSecurity security) {
        Topology t = cluster.topology();
        if (t == null) {
            return new Clients(endpoints, security);
        }
        Map<String, String> datacenters = new LinkedHashMap<>();
        for (ServerProcess n : cluster.nodes()) {
            datacenters.put(n.clientAddress(), t.datacenterOf(n.id));
        }
        List<String> sites = new ArrayList<>();
        t.observers().stream().sorted().forEach(id -> sites.add(t.datacenterOf(id)));
        for (String dc : t.byDatacenter().keySet()) {
            if (!sites.contains(dc)) {
                sites.add(dc);
            }
        }
        return new Clients(endpoints, security, datacenters, sites);
    }

    /**
     * Invalid when a client thread died or was still busy after the run: its operations stopped
     * early, so the history says less than the run claims.
     */
    private static CheckResult clientThreads(List<String> errors) {
        List<String> problems = new ArrayList<>();
        synchronized (errors) {
            for (String e : errors) {
                if (e.startsWith(CLIENT_PROBLEM)) {
                    problems.add(e);
                }
            }
        }
        return new CheckResult("client-threads", problems.isEmpty() ? Verdict.VALID : Verdict.INVALID,
                problems.isEmpty() ? "valid: every client thread ran to the end"
                        : "invalid: " + problems.size() + " client thread(s) died or hung: " + problems,
                Map.of("problems", List.copyOf(problems)));
    }

    static List<Thread> startClients(Workload workload, int concurrency, RunContext ctx, List<String> errors) {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < workload.threads(concurrency); i++) {
            int index = i;
            Thread t = new Thread(() -> {
                try {
                    workload.client(index, ctx);
                } catch (Exception | Error e) {
                    errors.add(CLIENT_PROBLEM + index + ": " + e);
                }
            }, "client-" + i);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        return threads;
    }

    private static void writeHistory(Path file, List<Event> events) throws java.io.IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Event e : events) {
                w.write(e.toJson());
                w.write('\n');
            }
        }
    }
}
