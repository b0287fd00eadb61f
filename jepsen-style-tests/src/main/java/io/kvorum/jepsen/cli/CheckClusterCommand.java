package io.kvorum.jepsen.cli;

import io.kvorum.jepsen.checker.Verdict;
import io.kvorum.jepsen.run.LiveCheck;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kvorum-jepsen check-cluster --endpoints ...}: a short register workload against a
 * running cluster, without faults, checked for linearizability; prints the verdict and the
 * latencies and deletes what it wrote. Exit codes as {@code run}'s.
 */
@Command(name = "check-cluster", mixinStandardHelpOptions = true,
        description = "Checks a running cluster: a short register workload in a namespace of its own, checked for "
                + "linearizability, then deleted.",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:linearizable", "1:not linearizable (the operations that prove it are printed)",
                "2:bad flags, or the check could not be carried out", "3:unknown (the checker could not decide)"})
final class CheckClusterCommand implements Callable<Integer> {
    @Option(names = "--endpoints", required = true, description = "Client addresses, comma-separated.")
    String endpoints;

    @Option(names = "--time-limit", defaultValue = "10",
            description = "Seconds of operations. Default: ${DEFAULT-VALUE}.")
    long seconds;

    @Option(names = "--concurrency", defaultValue = "3", description = "Client threads. Default: ${DEFAULT-VALUE}.")
    int concurrency;

    @Option(names = "--check-time-limit", defaultValue = "30",
            description = "Seconds the checker may search. Default: ${DEFAULT-VALUE}.")
    long checkSeconds;

    @Override
    public Integer call() {
        List<String> list = Arrays.stream(endpoints.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (list.isEmpty() || seconds <= 0 || concurrency <= 0 || checkSeconds <= 0) {
            System.err.println("kvorum-jepsen check-cluster: need --endpoints and positive --time-limit, "
                    + "--concurrency and --check-time-limit");
            return 2;
        }
        LiveCheck.Result r;
        try {
            r = LiveCheck.run(list, Duration.ofSeconds(seconds), concurrency, Duration.ofSeconds(checkSeconds),
                    System.nanoTime());
        } catch (Exception e) {
            System.err.println("kvorum-jepsen check-cluster: the check could not be carried out: " + e);
            return 2;
        }
        Verdict v = r.check().verdict();
        System.out.println((v == Verdict.VALID ? "linearizable" : v == Verdict.INVALID ? "NOT linearizable"
                : "unknown") + ": " + r.check().summary());
        System.out.printf(Locale.ROOT, "%d operations (%d ok, %d failed, %d indeterminate); latency of completed "
                        + "operations p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", r.operations(), r.ok(), r.failed(),
                r.indeterminate(), r.p50Millis(), r.p99Millis(), r.maxMillis());
        System.out.println(r.cleanedUp() ? "removed " + r.namespace() : "could not remove " + r.namespace()
                + ": " + r.errors());
        return v.exitCode;
    }
}
