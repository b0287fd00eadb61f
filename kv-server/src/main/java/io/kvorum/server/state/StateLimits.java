package io.kvorum.server.state;

/**
 * Limits of the data model, enforced at the API's door and checked again at apply. Apply
 * decisions depend on them (a command over a limit is refused, history and exactly-once tables
 * are trimmed to them), so every node of a cluster must run with the same limits, or replicas
 * diverge.
 *
 * @param maxPathBytes        UTF-8 bytes of a path (default 4 KiB)
 * @param maxValueBytes       bytes of a node's data (default 1 MiB)
 * @param maxRequestBytes     bytes of one request (default 4 MiB)
 * @param maxMultiOps         operations in one multi (default 128)
 * @param historyRevisions    revisions of events kept for resuming watches (default 10,000)
 * @param dedupeClients       clients whose recent answers are remembered (default 10,000)
 * @param dedupePerClient     answers remembered per client (default 1,000)
 * @param minSessionTtlMillis shortest session TTL accepted (default 2 s)
 * @param maxSessionTtlMillis longest session TTL accepted (default 10 min)
 */
public record StateLimits(int maxPathBytes, int maxValueBytes, int maxRequestBytes, int maxMultiOps,
                          long historyRevisions, int dedupeClients, int dedupePerClient,
                          long minSessionTtlMillis, long maxSessionTtlMillis) {
    public static StateLimits defaults() {
        return new StateLimits(4096, 1 << 20, 4 << 20, 128, 10_000, 10_000, 1_000, 2_000, 600_000);
    }
}
