package io.kvorum.client.it;

import io.kvorum.client.ChannelFactory;
import io.kvorum.client.KvorumClient;
import io.kvorum.client.KvorumClientBuilder;
import io.kvorum.server.testing.InJvmCluster;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/** Clients for the real-cluster tests: 2 s sessions (the server's minimum), short retries. */
final class ItClients {
    private ItClients() {
    }

    /**
     * A started 3-node cluster under {@code dir} with a leader elected; watch progress comes
     * after 300 ms of silence (the harness default is 500 ms).
     */
    static InJvmCluster startCluster(Path dir) throws IOException {
        InJvmCluster cluster = new InJvmCluster(dir, 3, "client-it");
        cluster.options(InJvmCluster.testOptions().withWatchProgressAfter(Duration.ofMillis(300)));
        try {
            cluster.startAll();
            cluster.awaitLeader();
        } catch (IOException | RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    static KvorumClientBuilder builder(InJvmCluster cluster) {
        return KvorumClient.builder().endpoints(cluster.addresses())
                .defaultDeadline(Duration.ofSeconds(5))
                .attemptTimeout(Duration.ofSeconds(1))
                .retryBackoff(Duration.ofMillis(20), Duration.ofMillis(300))
                .endpointBackoff(Duration.ofMillis(100), Duration.ofSeconds(1))
                .sessionTtl(Duration.ofSeconds(2))
                .watchCheckInterval(Duration.ofSeconds(1));
    }

    static KvorumClient of(InJvmCluster cluster) {
        return builder(cluster).build();
    }

    static KvorumClient of(InJvmCluster cluster, ChannelFactory channels) {
        return builder(cluster).channelFactory(channels).build();
    }
}
