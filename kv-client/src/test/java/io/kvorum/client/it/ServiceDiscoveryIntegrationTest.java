package io.kvorum.client.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.client.KvorumClient;
import io.kvorum.client.recipes.LoadBalancing;
import io.kvorum.client.recipes.ServiceDiscovery;
import io.kvorum.client.recipes.ServiceInstance;
import io.kvorum.client.recipes.ServiceRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Done-criterion 3: a service instance leaves discovery when its session expires. One
 * instance's client is cut off abruptly (no goodbye, keep-alives just stop); another closes
 * cleanly. Discovery, watching from a third client, drops each.
 */
class ServiceDiscoveryIntegrationTest {
    @TempDir
    Path dir;

    @Test
    void anInstanceLeavesDiscoveryWhenItsSessionExpires() throws Exception {
        try (RealCluster cluster = new RealCluster(dir, 3).startAll();
             KvorumClient observer = ItClients.of(cluster);
             KvorumClient graceful = ItClients.of(cluster)) {
            CuttableChannels net = new CuttableChannels();
            KvorumClient doomed = ItClients.of(cluster, net);

            new ServiceRegistry(doomed).register(ServiceInstance.of("orders", "10.0.0.1", 8080).withWeight(2));
            new ServiceRegistry(graceful).register(ServiceInstance.of("orders", "10.0.0.2", 8080));
            try (ServiceDiscovery orders = new ServiceRegistry(observer).discover("orders",
                    LoadBalancing.WEIGHTED_ROUND_ROBIN)) {
                await().until(() -> orders.instances().size() == 2);
                assertEquals(2, orders.instances().get(0).weight());

                long cutAt = System.nanoTime();
                net.cut(); // the process "froze": its session is left to expire
                await().atMost(Duration.ofSeconds(10)).until(() -> ids(orders).equals(List.of("10.0.0.2:8080")));
                long millis = (System.nanoTime() - cutAt) / 1_000_000;
                assertTrue(millis >= 1000, "not before the TTL (2 s) could pass: " + millis + " ms");
                assertTrue(millis < 6000, "within the TTL plus expiry checking: " + millis + " ms");

                graceful.close(); // closes the session: gone at once
                await().atMost(Duration.ofSeconds(3)).until(() -> orders.instances().isEmpty());
                assertTrue(orders.pick().isEmpty());
            } finally {
                doomed.close();
            }
        }
    }

    private static List<String> ids(ServiceDiscovery d) {
        return d.instances().stream().map(ServiceInstance::id).toList();
    }
}
