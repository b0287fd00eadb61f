package io.kvorum.jepsen.cli;

import io.kvorum.jepsen.harness.Topology;
import io.kvorum.jepsen.nemesis.Nemeses;
import io.kvorum.jepsen.run.RunOptions;
import io.kvorum.jepsen.run.RunResult;
import io.kvorum.jepsen.run.TestRun;
import io.kvorum.jepsen.workload.Workloads;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code kvorum-jepsen run --workload W --nemesis N --time-limit S}: starts a cluster of real
 * servers, runs the workload under the faults, checks the history and writes the report
 * folder. Exit codes: 0 every checker passed, 1 one failed, 2 bad flags or the run could not be
 * carried out (no verdict), 3 unknown.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Runs a test against real kvorum-server processes and writes its report.",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:every checker passed", "1:a checker found a violation (evidence in the report)",
                "2:bad flags, or the run could not be carried out", "3:unknown (a checker could not decide)"})
final class RunCommand implements Callable<Integer> {
    @Option(names = "--workload", required = true,
            description = "register, set, sequential, lock, watch or session.")
    String workload;

    @Option(names = "--nemesis", defaultValue = "mixed",
            description = "none, mixed, or kinds separated by commas: partition (one of its shapes per fault, "
                    + "each also a kind of its own: partition-halves, partition-leader, partition-ring, "
                    + "partition-bridge, partition-one-way, blackhole-halves), latency, kill, pause, "
                    + "pause-leader, leader-transfer, membership, kill-majority, kill-all; with --datacenters also "
                    + "datacenter-partition (a whole datacenter cut off: the leader's, a random one, or all apart) "
                    + "and wan-latency (each pair of datacenters 5-100 ms one way). Default: ${DEFAULT-VALUE}.")
    String nemesis;

    @Option(names = "--time-limit", defaultValue = "60",
            description = "Seconds of operations under faults (healing and final reads follow). Default: ${DEFAULT-VALUE}.")
    long timeLimitSeconds;

    @Option(names = "--concurrency", defaultValue = "5", description = "Client threads. Default: ${DEFAULT-VALUE}.")
    int concurrency;

    @Option(names = "--nodes", description = "Cluster size (3 or 5), without --datacenters. Default: 3.")
    Integer nodes;

    @Option(names = "--datacenters", description = "Place the voters in datacenters dc1, dc2, ... as voters per "
            + "datacenter, e.g. 1+1+1 or 2+2+1, plus --observers observers each in a site of its own (dc4, ...); "
            + "links between datacenters carry --wan-ms, the leader is preferred in dc1, and client threads are "
            + "spread over the datacenters, the observers' first (their reads go through the observer).")
    String datacenters;

    @Mixin
    WanLinks links;

    @Option(names = "--seed", description = "Seed of the clients' choices and the fault schedule. Default: random.")
    Long seed;

    @Option(names = "--dir", description = "Report folder. Default: store/<workload>-<nemesis>-<time>.")
    Path dir;

    @Option(names = "--check-time-limit", defaultValue = "60",
            description = "Seconds a checker may search before its verdict is unknown. Default: ${DEFAULT-VALUE}.")
    long checkSeconds;

    @Option(names = "--min-acknowledged", description = "Operations that must be acknowledged (complete ok), or the "
            + "run is invalid. Default: one per second of --time-limit.")
    Long minimumAcknowledged;

    @Option(names = "--secure", description = "TLS on every port and auth on: throw-away certificates (made with "
            + "openssl under the report folder), clients log in as root. Workloads that tap their channels "
            + "(session) cannot run secure.")
    boolean secure;

    @Override
    public Integer call() throws Exception {
        String problem = validate();
        Topology topology = null;
        if (problem == null && datacenters != null) {
            try {
                topology = links.topology(datacenters);
            } catch (IllegalArgumentException e) {
                problem = "--datacenters: " + e.getMessage();
            }
        }
        if (problem != null) {
            System.err.println("kvorum-jepsen run: " + problem);
            return 2;
        }
        int size = topology != null ? topology.size() : nodes != null ? nodes : 3;
        long s = seed != null ? seed : System.nanoTime();
        Path out = dir != null ? dir : Path.of("store", workload + "-" + nemesis.replace(',', '+') + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        System.err.println("kvorum-jepsen run: " + workload + " under " + nemesis + " for " + timeLimitSeconds
                + " s, seed " + s + (topology != null ? ", datacenters " + topology.describe() : "")
                + ", report in " + out);
        RunResult r;
        try {
            r = TestRun.run(new RunOptions(workload, nemesis, Duration.ofSeconds(timeLimitSeconds), concurrency,
                    size, s, out, Duration.ofSeconds(checkSeconds),
                    minimumAcknowledged != null ? minimumAcknowledged : timeLimitSeconds, secure, topology));
        } catch (Exception e) {
            // No history to judge (the cluster did not start, the disk is full): not a verdict.
            System.err.println("kvorum-jepsen run: the run could not be carried out: " + e);
            e.printStackTrace();
            return 2;
        }
        System.out.println(r.summary());
        return r.verdict().exitCode;
    }

    private String validate() {
        if (!Workloads.NAMES.contains(workload)) {
            return "unknown workload \"" + workload + "\" (expected one of " + String.join(", ", Workloads.NAMES) + ")";
        }
        List<String> kinds;
        try {
            kinds = Nemeses.parse(nemesis);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        if (datacenters == null) {
            for (String k : kinds) {
                if (Nemeses.DATACENTER_KINDS.contains(k)) {
                    return "the " + k + " nemesis needs --datacenters";
                }
            }
        } else if (nodes != null) {
            return "--nodes and --datacenters exclude each other: the layout says how many nodes";
        } else if (links.observers < 0 || links.wanMillis < 0) {
            return "--observers and --wan-ms must not be negative";
        }
        if (timeLimitSeconds <= 0 || checkSeconds <= 0) {
            return "--time-limit and --check-time-limit must be positive";
        }
        if (concurrency <= 0) {
            return "--concurrency must be positive";
        }
        if (nodes != null && nodes != 3 && nodes != 5) {
            return "--nodes must be 3 or 5";
        }
        if (secure && workload.equals("session")) {
            return "the session workload taps its clients' channels and cannot run --secure";
        }
        return null;
    }
}
