package io.kvorum.jepsen.cli;

import io.kvorum.jepsen.failover.ElectionsUnderLoad;
import io.kvorum.jepsen.harness.ClusterSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code kvorum-jepsen elections --minutes 30}: a fault-free cluster under full load for a while;
 * prints every election it held (all false: nothing failed). By hand, not in CI: it is long.
 */
@Command(name = "elections", mixinStandardHelpOptions = true,
        description = "Counts the (false) elections of a healthy cluster under full load, without faults.")
final class ElectionsCommand implements Callable<Integer> {
    @Option(names = "--minutes", defaultValue = "30", description = "Length of the run. Default: ${DEFAULT-VALUE}.")
    double minutes;

    @Option(names = "--in-flight", defaultValue = "64",
            description = "Calls the client keeps outstanding (half writes, half linearizable reads). "
                    + "Default: ${DEFAULT-VALUE}.")
    int inFlight;

    @Mixin
    ServerTimeouts timeouts;

    @Option(names = "--dir", description = "Folder for the servers' data and logs. Default: store/elections-<time>.")
    Path dir;

    @Override
    public Integer call() throws Exception {
        if (minutes <= 0 || inFlight <= 0 || !timeouts.valid()) {
            System.err.println("kvorum-jepsen elections: need --minutes > 0, --in-flight > 0, "
                    + "0 < --heartbeat-ms < --election-ms");
            return 2;
        }
        Path out = dir != null ? dir : Path.of("store", "elections-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Files.createDirectories(out);
        // The server's own launcher's heap, rather than the small one fault runs use.
        ClusterSpec base = ClusterSpec.of(3).withTimeouts(timeouts.heartbeatMillis, timeouts.electionMillis);
        ClusterSpec spec = new ClusterSpec(base.size(), base.clusterId(), base.heartbeatMillis(),
                base.electionMillis(), base.classpath(), List.of("-Xms64m", "-Xmx256m", "-XX:+UseSerialGC"), base.security(),
                base.topology());
        List<String> lines = new ArrayList<>();
        ElectionsUnderLoad.Result r = ElectionsUnderLoad.run(spec, out.resolve("cluster"),
                Duration.ofMillis((long) (minutes * 60_000)), inFlight, line -> {
                    System.out.println(line);
                    lines.add(line);
                });
        System.out.println(r);
        lines.add(r.toString());
        Files.write(out.resolve("elections.txt"), lines);
        return 0;
    }
}
