package io.kvorum.jepsen.run;

import io.kvorum.jepsen.harness.Topology;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One test run.
 *
 * @param workload    register, set, sequential, lock, watch or session
 * @param nemesis     none, mixed, or kinds separated by commas (see {@code Nemeses})
 * @param timeLimit   how long clients operate while faults come and go (healing and final reads follow)
 * @param concurrency client threads (workloads may add a few, e.g. watchers)
 * @param nodes       cluster size, 3 or 5
 * @param seed        drives the clients' choices and the fault schedule
 * @param dir         the report folder (the cluster's data and logs go under it)
 * @param checkLimit  how long a checker may search before its verdict is unknown
 * @param minimumAcknowledged operations that must complete ok (final reads included), or the
 *                    run is invalid: a cluster that served nothing passes every safety check
 * @param secure      TLS on every port and auth on (throw-away certificates; clients log in as root)
 * @param topology    the nodes placed in datacenters, observers included (then it, not {@code nodes},
 *                    says how many); null for a plain cluster of {@code nodes} voters
 */
public record RunOptions(String workload, String nemesis, Duration timeLimit, int concurrency, int nodes, long seed,
                         Path dir, Duration checkLimit, long minimumAcknowledged, boolean secure, Topology topology) {

    public RunOptions {
        if (topology != null && topology.size() != nodes) {
            throw new IllegalArgumentException("nodes (" + nodes + ") must be the topology's " + topology.size());
        }
    }

    /** A run on a plain cluster. */
    public RunOptions(String workload, String nemesis, Duration timeLimit, int concurrency, int nodes, long seed,
                      Path dir, Duration checkLimit, long minimumAcknowledged, boolean secure) {
        this(workload, nemesis, timeLimit, concurrency, nodes, seed, dir, checkLimit, minimumAcknowledged, secure,
                null);
    }

    /** A plaintext run without auth. */
    public RunOptions(String workload, String nemesis, Duration timeLimit, int concurrency, int nodes, long seed,
                      Path dir, Duration checkLimit, long minimumAcknowledged) {
        this(workload, nemesis, timeLimit, concurrency, nodes, seed, dir, checkLimit, minimumAcknowledged, false);
    }

    public static RunOptions of(String workload, String nemesis, Duration timeLimit, Path dir) {
        return new RunOptions(workload, nemesis, timeLimit, 5, 3, System.nanoTime(), dir, Duration.ofSeconds(60),
                timeLimit.toSeconds());
    }
}
