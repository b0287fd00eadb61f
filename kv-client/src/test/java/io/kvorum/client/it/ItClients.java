package io.kvorum.client.it;

import io.kvorum.client.ChannelFactory;
import io.kvorum.client.KvorumClient;
import io.kvorum.client.KvorumClientBuilder;
import java.time.Duration;

/** Clients for the real-cluster tests: 2 s sessions (the server's minimum), short retries. */
final class ItClients {
    private ItClients() {
    }

    static KvorumClientBuilder builder(RealCluster cluster) {
        return KvorumClient.builder().endpoints(cluster.addresses())
                .defaultDeadline(Duration.ofSeconds(5))
                .attemptTimeout(Duration.ofSeconds(1))
                .retryBackoff(Duration.ofMillis(20), Duration.ofMillis(300))
                .endpointBackoff(Duration.ofMillis(100), Duration.ofSeconds(1))
                .sessionTtl(Duration.ofSeconds(2))
                .watchCheckInterval(Duration.ofSeconds(1));
    }

    static KvorumClient of(RealCluster cluster) {
        return builder(cluster).build();
    }

    static KvorumClient of(RealCluster cluster, ChannelFactory channels) {
        return builder(cluster).channelFactory(channels).build();
    }
}
