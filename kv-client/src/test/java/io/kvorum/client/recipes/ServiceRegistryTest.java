package io.kvorum.client.recipes;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.client.KvorumClient;
import io.kvorum.client.fake.FakeCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Registration, live discovery and picking, against a fake cluster. */
class ServiceRegistryTest {
    private FakeCluster cluster;
    private final List<KvorumClient> clients = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        cluster = new FakeCluster(3);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (KvorumClient c : clients) {
            c.close();
        }
        cluster.close();
    }

    private ServiceRegistry registry() {
        KvorumClient c = RecipeClients.of(cluster);
        clients.add(c);
        return new ServiceRegistry(c);
    }

    @Test
    void discoveryFollowsRegistrationsAndDeregistrations() {
        ServiceRegistry r1 = registry();
        ServiceRegistry r2 = registry();
        ServiceRegistration a = r1.register(ServiceInstance.of("orders", "10.0.0.1", 80));
        ServiceDiscovery d = registry().discover("orders", LoadBalancing.WEIGHTED_ROUND_ROBIN);
        assertEquals(List.of("10.0.0.1:80"), ids(d));
        ServiceRegistration b = r2.register(ServiceInstance.of("orders", "10.0.0.2", 80).withTags("v2"));
        await().until(() -> ids(d).size() == 2);
        assertEquals(List.of("v2"), d.instances().get(1).tags());
        assertEquals(2, r1.readInstances("orders").size());

        a.close();
        await().until(() -> ids(d).equals(List.of("10.0.0.2:80")));
        b.close();
        await().until(() -> d.instances().isEmpty());
        assertTrue(d.pick().isEmpty());
        d.close();
    }

    @Test
    void anInstanceWhoseSessionExpiresLeavesDiscoveryAndRegistersAgainWhileItsClientLives() {
        ServiceRegistry owner = registry();
        ServiceRegistration reg = owner.register(ServiceInstance.of("pay", "10.0.0.9", 443));
        List<List<String>> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        ServiceDiscovery d = registry().discover("pay", LoadBalancing.WEIGHTED_ROUND_ROBIN);
        d.addListener(list -> seen.add(list.stream().map(ServiceInstance::id).toList()));
        long session = clients.get(0).session().id();
        cluster.state.expireSession(session);
        await().atMost(Duration.ofSeconds(5)).until(() -> seen.contains(List.of()));
        await().atMost(Duration.ofSeconds(5)).until(() -> ids(d).equals(List.of("10.0.0.9:443")));
        assertTrue(reg.isRegistered());
        assertTrue(clients.get(0).session().id() != session);
    }

    @Test
    void weightedRoundRobinPicksByWeight() {
        ServiceRegistry r = registry();
        r.register(ServiceInstance.of("s", "a", 1).withWeight(1));
        r.register(ServiceInstance.of("s", "b", 1).withWeight(2));
        r.register(ServiceInstance.of("s", "c", 1).withWeight(7));
        ServiceDiscovery d = r.discover("s", LoadBalancing.WEIGHTED_ROUND_ROBIN);
        Map<String, Integer> picks = new HashMap<>();
        for (int i = 0; i < 1000; i++) {
            picks.merge(d.pick().orElseThrow().address(), 1, Integer::sum);
        }
        assertEquals(Map.of("a", 100, "b", 200, "c", 700), picks);
    }

    @Test
    void leastOutstandingPrefersTheLeastBusyPerWeight() {
        ServiceRegistry r = registry();
        r.register(ServiceInstance.of("s", "a", 1));
        r.register(ServiceInstance.of("s", "b", 1).withWeight(2));
        ServiceDiscovery d = r.discover("s", LoadBalancing.LEAST_OUTSTANDING);
        List<ServiceLease> leases = new ArrayList<>();
        Map<String, Integer> picks = new HashMap<>();
        for (int i = 0; i < 6; i++) {
            ServiceLease l = d.acquire().orElseThrow();
            leases.add(l);
            picks.merge(l.instance().address(), 1, Integer::sum);
        }
        assertEquals(Map.of("a", 2, "b", 4), picks, "b has twice the weight: twice the requests in flight");
        for (ServiceLease l : leases) {
            if (l.instance().address().equals("b")) {
                l.close();
            }
        }
        assertEquals("b", d.acquire().orElseThrow().instance().address());
    }

    private static List<String> ids(ServiceDiscovery d) {
        return d.instances().stream().map(ServiceInstance::id).toList();
    }
}
