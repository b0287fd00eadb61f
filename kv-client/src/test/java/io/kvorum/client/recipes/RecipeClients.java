package io.kvorum.client.recipes;

import io.kvorum.client.KvorumClient;
import io.kvorum.client.fake.FakeCluster;
import java.time.Duration;

/** Clients for recipe tests against fakes: short deadlines, a 1.5 s session. */
final class RecipeClients {
    private RecipeClients() {
    }

    static KvorumClient of(FakeCluster cluster) {
        return KvorumClient.builder().endpoints(cluster.addresses())
                .defaultDeadline(Duration.ofSeconds(3))
                .attemptTimeout(Duration.ofMillis(500))
                .retryBackoff(Duration.ofMillis(10), Duration.ofMillis(200))
                .endpointBackoff(Duration.ofMillis(100), Duration.ofMillis(500))
                .sessionTtl(Duration.ofMillis(1500))
                .watchCheckInterval(Duration.ofMillis(500))
                .build();
    }
}
