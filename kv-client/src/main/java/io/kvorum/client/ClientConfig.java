package io.kvorum.client;

import java.time.Duration;
import java.util.List;

/** Everything the builder collected, checked. */
record ClientConfig(List<Endpoint> endpoints, EndpointPolicy policy, String localDatacenter, Duration defaultDeadline,
                    Duration attemptTimeout, Duration retryBase, Duration retryMax, Duration endpointBackoffBase,
                    Duration endpointBackoffMax, Duration sessionTtl, Duration watchCheckInterval,
                    Duration memberRefreshInterval, boolean memberDiscovery, ChannelFactory channelFactory,
                    int maxWritesInFlight, boolean batching, boolean hedgeReads) {
}
