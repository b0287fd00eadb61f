package io.kvorum.client;

import io.kvorum.client.fake.FakeCluster;
import java.time.Duration;

/** Clients tuned for tests: short deadlines and backoffs so failures show quickly. */
final class TestClients {
    private TestClients() {
    }

    static KvorumClientBuilder builder(FakeCluster cluster) {
        return KvorumClient.builder().endpoints(cluster.addresses())
                .defaultDeadline(Duration.ofSeconds(3))
                .attemptTimeout(Duration.ofMillis(500))
                .retryBackoff(Duration.ofMillis(10), Duration.ofMillis(200))
                .endpointBackoff(Duration.ofMillis(100), Duration.ofMillis(500))
                .sessionTtl(Duration.ofMillis(1500))
                .watchCheckInterval(Duration.ofMillis(500));
    }

    static KvorumClient of(FakeCluster cluster) {
        return builder(cluster).build();
    }

    static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
