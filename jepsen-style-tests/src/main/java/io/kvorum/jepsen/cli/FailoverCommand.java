package io.kvorum.jepsen.cli;

import io.kvorum.jepsen.failover.FailoverMeasurement;
import io.kvorum.jepsen.harness.ClusterSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code kvorum-jepsen failover --kills 20}: SIGKILLs the leader of a real cluster again and
 * again and prints how long a client waited each time for a write to succeed, with the
 * distribution. Servers run with the server's default heartbeat and election timeout unless
 * told otherwise.
 */
@Command(name = "failover", mixinStandardHelpOptions = true,
        description = "Measures the time from SIGKILL of the leader until a client's write succeeds.")
final class FailoverCommand implements Callable<Integer> {
    @Option(names = "--kills", defaultValue = "20", description = "Leader kills to measure. Default: ${DEFAULT-VALUE}.")
    int kills;

    @Option(names = "--nodes", defaultValue = "3", description = "Cluster size (3 or 5). Default: ${DEFAULT-VALUE}.")
    int nodes;

    @Mixin
    ServerTimeouts timeouts;

    @Option(names = "--dir", description = "Folder for the servers' data and logs. Default: store/failover-<time>.")
    Path dir;

    @Override
    public Integer call() throws Exception {
        if (kills <= 0 || (nodes != 3 && nodes != 5) || !timeouts.valid()) {
            System.err.println("kvorum-jepsen failover: need --kills > 0, --nodes 3 or 5, 0 < --heartbeat-ms < --election-ms");
            return 2;
        }
        Path out = dir != null ? dir : Path.of("store", "failover-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Files.createDirectories(out);
        ClusterSpec spec = ClusterSpec.of(nodes).withTimeouts(timeouts.heartbeatMillis, timeouts.electionMillis);
        List<Double> ms = FailoverMeasurement.run(spec, out.resolve("cluster"), kills, System.out::println);
        String summary = FailoverMeasurement.summary(ms);
        System.out.println(summary);
        Files.writeString(out.resolve("failover.txt"), ms + "\n" + summary + "\n");
        return 0;
    }
}
