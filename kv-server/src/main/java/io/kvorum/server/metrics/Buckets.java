package io.kvorum.server.metrics;

/** Histogram bucket bounds, in seconds, shared so dashboards can compare like with like. */
final class Buckets {
    /** Disk writes and request latencies: 100 µs to 10 s. */
    static final double[] LATENCY = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
            0.25, 0.5, 1, 2.5, 5, 10};
    /** Snapshots: 10 ms to 10 min. */
    static final double[] SNAPSHOT = {0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600};

    private Buckets() {
    }
}
