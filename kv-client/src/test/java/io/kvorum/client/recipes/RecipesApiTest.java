package io.kvorum.client.recipes;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.client.KvorumClient;
import io.kvorum.client.KvorumException;
import io.kvorum.client.Session;
import io.kvorum.client.fake.FakeCluster;
import io.kvorum.client.fake.FakeNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The recipes as a new user calls them: scoped locks, awaitable leadership, sessions of one's own. */
class RecipesApiTest {
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

    private KvorumClient client() {
        KvorumClient c = RecipeClients.of(cluster);
        clients.add(c);
        return c;
    }

    @Test
    void aLockScopedByTryWithResourcesIsReleasedAtTheEnd() {
        KvorumClient a = client();
        KvorumClient b = client();
        try (DistributedLock lock = new DistributedLock(a, "/locks/scoped")) {
            assertTrue(lock.acquire(Duration.ofSeconds(5)));
            try (DistributedLock other = new DistributedLock(b, "/locks/scoped")) {
                assertFalse(other.acquire(Duration.ofMillis(300)), "held by the first: the timeout runs out");
            }
        }
        try (DistributedLock again = new DistributedLock(b, "/locks/scoped")) {
            assertTrue(again.acquire(Duration.ofSeconds(5)), "the first was released when its block ended");
        }
    }

    @Test
    void aTimeoutSpentSettingUpTheSessionIsFalseNotAnException() {
        KvorumClient fresh = client();                 // no session yet: acquire must open one
        for (FakeNode n : cluster.nodes) {
            n.partition(true);
        }
        DistributedLock lock = new DistributedLock(fresh, "/locks/unreachable");
        assertFalse(lock.acquire(Duration.ofMillis(500)));
        assertFalse(lock.isHeld());
    }

    @Test
    void leadershipCanBeAwaitedAndAskedAboutWithoutTakingPart() throws Exception {
        List<Long> tokens = new CopyOnWriteArrayList<>();
        LeaderElection first = new LeaderElection(client(), "/election/api", "first", tokens::add);
        LeaderElection second = new LeaderElection(client(), "/election/api", "second", token -> { });
        try (first; second) {
            assertEquals("first", first.participantId());
            first.start();
            assertTrue(first.awaitLeadership(Duration.ofSeconds(10)));
            second.start();
            assertFalse(second.awaitLeadership(Duration.ofMillis(300)), "the first leads");
            assertEquals(Optional.of("first"), LeaderElection.leaderOf(client(), "/election/api"));
            assertEquals(1, tokens.size());
            first.resign();
            assertTrue(second.whenLeader().get(10, TimeUnit.SECONDS) > tokens.get(0));
            assertEquals(Optional.of("second"), LeaderElection.leaderOf(client(), "/election/api"));
        }
    }

    @Test
    void anInstanceRegisteredWithItsOwnSessionLivesExactlyAsLongAsIt() {
        KvorumClient c = client();
        ServiceRegistry registry = new ServiceRegistry(c);
        Session mine = c.openSession(Duration.ofSeconds(5));
        ServiceRegistration r = registry.register(ServiceInstance.of("orders", "10.0.0.5", 8080), mine);
        assertEquals(List.of(r.instance()), registry.readInstances("orders"));
        mine.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> registry.readInstances("orders").isEmpty());
        r.close();
    }

    @Test
    void registeringWhenTheClusterCannotBeReachedThrowsAKvorumException() {
        KvorumClient c = client();
        c.ensurePath("/services/down");
        Session s = c.session();
        for (FakeNode n : cluster.nodes) {
            n.partition(true);
        }
        assertThrows(KvorumException.class,
                () -> new ServiceRegistry(c).register(ServiceInstance.of("down", "h", 1), s));
    }

    @Test
    void aDiscoveryListenerHearsTheCurrentInstancesAtOnce() {
        KvorumClient c = client();
        ServiceRegistry registry = new ServiceRegistry(c);
        ServiceRegistration r = registry.register(ServiceInstance.of("web", "h", 80));
        try (ServiceDiscovery web = registry.discover("web", LoadBalancing.WEIGHTED_ROUND_ROBIN)) {
            List<List<ServiceInstance>> heard = new CopyOnWriteArrayList<>();
            web.addListener(heard::add);
            assertEquals(List.of(List.of(r.instance())), heard);
        }
        r.close();
    }
}
