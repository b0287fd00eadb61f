package io.kvorum.jepsen.cli;

import io.kvorum.jepsen.harness.ClusterSpec;
import io.kvorum.jepsen.harness.Topology;
import io.kvorum.jepsen.wan.WanMeasurement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code kvorum-jepsen wan}: a cluster placed in datacenters with a simulated WAN (the
 * harness's TCP proxies delay every link between datacenters, client links included), measured
 * from each datacenter, then its leader's datacenter cut off a few times.
 */
@Command(name = "wan", mixinStandardHelpOptions = true,
        description = "Measures a cluster across simulated datacenters: write and read latency from each "
                + "datacenter (through its voters, or its observer), and the failover when the leader's "
                + "datacenter is cut off.")
final class WanCommand implements Callable<Integer> {
    @Option(names = "--datacenters", defaultValue = "2+2+1",
            description = "Voters per datacenter dc1, dc2, ... Default: ${DEFAULT-VALUE}.")
    String layout;

    @Mixin
    WanLinks links;

    @Option(names = "--heartbeat-ms", defaultValue = "50",
            description = "Servers' --heartbeat-ms: about one WAN round trip. Default: ${DEFAULT-VALUE}.")
    long heartbeatMillis;

    @Option(names = "--election-ms", defaultValue = "500",
            description = "Servers' --election-ms: about ten WAN round trips. Default: ${DEFAULT-VALUE}.")
    long electionMillis;

    @Option(names = "--seconds", defaultValue = "10",
            description = "Seconds of each measurement (per operation and datacenter). Default: ${DEFAULT-VALUE}.")
    long seconds;

    @Option(names = "--cuts", defaultValue = "5",
            description = "Times the leader's datacenter is cut off. Default: ${DEFAULT-VALUE}.")
    int cuts;

    @Option(names = "--attempt-timeout-ms", defaultValue = "2000",
            description = "The clients' attemptTimeout: how long a call waits on one node (e.g. a leader whose "
                    + "datacenter was just cut off) before trying another. Default: ${DEFAULT-VALUE} (kv-client's).")
    long attemptTimeoutMillis;

    @Option(names = "--dir", description = "Where the cluster's data, logs and wan.txt go. Default: store/wan-<time>.")
    Path dir;

    @Override
    public Integer call() throws Exception {
        Topology t;
        try {
            t = links.topology(layout);
        } catch (IllegalArgumentException e) {
            System.err.println("kvorum-jepsen wan: --datacenters: " + e.getMessage());
            return 2;
        }
        if (seconds <= 0 || cuts < 0 || heartbeatMillis <= 0 || electionMillis <= heartbeatMillis
                || attemptTimeoutMillis <= 0) {
            System.err.println("kvorum-jepsen wan: need --seconds > 0, --cuts >= 0, 0 < --heartbeat-ms < --election-ms, "
                    + "--attempt-timeout-ms > 0");
            return 2;
        }
        Path out = dir != null ? dir : Path.of("store", "wan-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Files.createDirectories(out);
        // Heaps as the server's own launcher gives, rather than the small ones of fault runs.
        ClusterSpec base = ClusterSpec.of(t).withTimeouts(heartbeatMillis, electionMillis);
        ClusterSpec spec = new ClusterSpec(base.size(), base.clusterId(), heartbeatMillis, electionMillis,
                base.classpath(), List.of("-Xms64m", "-Xmx256m", "-XX:+UseSerialGC"), null, t);
        List<String> lines = new ArrayList<>();
        String head = String.format(Locale.ROOT, "datacenters %s; --heartbeat-ms %d --election-ms %d; %d s per "
                + "measurement, one client thread each, attempt timeout %d ms", t.describe(), heartbeatMillis,
                electionMillis, seconds, attemptTimeoutMillis);
        System.out.println(head);
        lines.add(head);
        WanMeasurement.Result r = WanMeasurement.run(spec, out.resolve("cluster"), Duration.ofSeconds(seconds), cuts,
                Duration.ofMillis(attemptTimeoutMillis), line -> {
                    System.out.println(line);
                    lines.add(line);
                });
        lines.add("");
        List<String> table = WanMeasurement.table(r);
        table.forEach(System.out::println);
        lines.addAll(table);
        if (!r.failovers().isEmpty()) {
            List<Double> ms = new ArrayList<>();
            r.failovers().forEach(f -> ms.add(f.writeMillis()));
            ms.sort(Double::compare);
            String summary = String.format(Locale.ROOT, "leader's datacenter cut off %d times: writes again after "
                    + "min %.0f ms, median %.0f ms, max %.0f ms", ms.size(), ms.get(0), ms.get(ms.size() / 2),
                    ms.get(ms.size() - 1));
            System.out.println(summary);
            lines.add(summary);
        }
        Files.write(out.resolve("wan.txt"), lines);
        return 0;
    }
}
