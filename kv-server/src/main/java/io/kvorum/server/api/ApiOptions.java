package io.kvorum.server.api;

import java.time.Duration;

/**
 * Timings and bounds of the client API. The defaults suit production; tests shorten them.
 *
 * @param defaultDeadline      how long a request without a gRPC deadline may wait for raft
 * @param touchFlushInterval   how often a node replicates the sessions touched by keep-alives
 * @param expiryCheckInterval  how often the leader looks for sessions past their TTL
 * @param ttlNodeCheckInterval how often the leader looks for expired TTL nodes
 * @param announceInterval     how often a node checks that its client address is announced
 * @param watchProgressAfter   silence on a watch after which a progress notification is sent
 * @param watcherMaxEvents     events one watch may have waiting before it is cancelled as too slow
 * @param watcherMaxBytes      bytes of events one watch may have waiting likewise
 * @param promoteMaxLag        log entries a learner may trail the leader's commit and be promoted
 * @param pageSizes            children per page of a listing, by default and at most
 */
public record ApiOptions(Duration defaultDeadline, Duration touchFlushInterval, Duration expiryCheckInterval,
                         Duration ttlNodeCheckInterval, Duration announceInterval, Duration watchProgressAfter,
                         int watcherMaxEvents, long watcherMaxBytes, long promoteMaxLag, PageSizes pageSizes) {

    public static ApiOptions defaults() {
        return new ApiOptions(Duration.ofSeconds(10), Duration.ofMillis(250), Duration.ofMillis(100),
                Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(5), 10_000, 16L << 20, 1000,
                PageSizes.defaults());
    }

    public ApiOptions withWatchProgressAfter(Duration d) {
        return new ApiOptions(defaultDeadline, touchFlushInterval, expiryCheckInterval, ttlNodeCheckInterval,
                announceInterval, d, watcherMaxEvents, watcherMaxBytes, promoteMaxLag, pageSizes);
    }

    public ApiOptions withPageSizes(PageSizes p) {
        return new ApiOptions(defaultDeadline, touchFlushInterval, expiryCheckInterval, ttlNodeCheckInterval,
                announceInterval, watchProgressAfter, watcherMaxEvents, watcherMaxBytes, promoteMaxLag, p);
    }

    public ApiOptions withWatcherLimits(int maxEvents, long maxBytes) {
        return new ApiOptions(defaultDeadline, touchFlushInterval, expiryCheckInterval, ttlNodeCheckInterval,
                announceInterval, watchProgressAfter, maxEvents, maxBytes, promoteMaxLag, pageSizes);
    }
}
