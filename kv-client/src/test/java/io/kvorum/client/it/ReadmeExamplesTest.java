package io.kvorum.client.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.client.CreateMode;
import io.kvorum.client.KvorumCache;
import io.kvorum.client.KvorumClient;
import io.kvorum.client.NodeData;
import io.kvorum.client.Op;
import io.kvorum.client.RequestOptions;
import io.kvorum.client.Session;
import io.kvorum.client.Watch;
import io.kvorum.client.WatchEvent;
import io.kvorum.client.WatchSpec;
import io.kvorum.client.recipes.DistributedLock;
import io.kvorum.client.recipes.LeaderElection;
import io.kvorum.client.recipes.LeadershipListener;
import io.kvorum.client.recipes.LoadBalancing;
import io.kvorum.client.recipes.ServiceDiscovery;
import io.kvorum.client.recipes.ServiceInstance;
import io.kvorum.client.recipes.ServiceLease;
import io.kvorum.client.recipes.ServiceRegistration;
import io.kvorum.client.recipes.ServiceRegistry;
import io.kvorum.server.testing.InJvmCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java examples of the top-level README, compiled and run against a real cluster. The
 * README's code blocks are copied from the regions between {@code // README:} markers here,
 * so a README example that stops compiling or working fails this test first.
 */
class ReadmeExamplesTest {
    @TempDir
    static Path dir;
    static InJvmCluster cluster;
    static KvorumClient client;

    @BeforeAll
    static void start() throws Exception {
        cluster = ItClients.startCluster(dir);
        client = ItClients.of(cluster);
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void connecting() {
        // README: Connecting
        KvorumClient client = KvorumClient.builder()
            .endpoints("10.0.0.1:7379,10.0.0.2:7379,10.0.0.3:7379")   // or a List, or one per argument
            .defaultDeadline(Duration.ofSeconds(5))   // per call, retries included (default 5 s)
            .sessionTtl(Duration.ofSeconds(10))       // the client's own session (default 10 s)
            .build();
        // README end
        assertEquals(List.of("10.0.0.1:7379", "10.0.0.2:7379", "10.0.0.3:7379"), client.endpoints());
        client.close();
    }

    @Test
    void readingAndWriting() {
        boolean on = true;
        client.ensurePath("/app");
        // README: Reading and writing
        client.create("/app/config", "v1");                                  // persistent; text is stored as UTF-8
        NodeData d = client.get("/app/config");                               // linearizable
        client.set("/app/config", "v2".getBytes(UTF_8), d.stat().version());  // compare-and-set
        client.children("/app");                                              // all pages, sorted
        client.multi(List.of(Op.check("/app/config", 1),                      // all or nothing
            Op.create("/app/flag", on ? "on" : "off")));
        client.set("/app/flag", "off".getBytes(UTF_8), KvorumClient.ANY_VERSION);  // whatever its version
        client.ensurePath("/app/locks");                                      // create missing ancestors
        client.delete("/app/config");
        client.deleteRecursive("/app");                                       // the node and all below it
        // README end
        assertFalse(client.exists("/app").isPresent());
    }

    @Test
    void requestOptions() {
        client.ensurePath("/app/config");
        // README: RequestOptions
        client.get("/app/config", RequestOptions.serializable().withDeadline(Duration.ofMillis(200)));
        // README end
        client.deleteRecursive("/app");
    }

    @Test
    void sessions() {
        byte[] info = "w-1".getBytes(UTF_8);
        byte[] data = info;
        List<Object> log = new CopyOnWriteArrayList<>();
        client.ensurePath("/workers");
        // README: Sessions
        client.create("/workers/w-1", info, CreateMode.EPHEMERAL);            // the client's session
        client.addSessionStateListener((session, state) -> log.add(state));

        Session extra = client.openSession(Duration.ofSeconds(30));            // more, if you need them
        client.create("/x", data, CreateMode.EPHEMERAL, RequestOptions.session(extra));
        extra.close();                                                         // its ephemerals go now
        // README end
        assertFalse(client.exists("/x").isPresent());
        assertFalse(log.isEmpty(), "told the current state when added");
    }

    @Test
    void watches() {
        client.create("/w", "0");
        NodeData d = client.get("/w");
        List<WatchEvent> seen = new CopyOnWriteArrayList<>();
        // README: Watches
        Watch w = client.watch(WatchSpec.subtree("/w").fromRevision(d.revision() + 1), event ->
            seen.add(event));                                   // e.g. event.type(), event.path(), event.revision()
        // README end
        client.set("/w", "1");
        await().atMost(Duration.ofSeconds(10)).until(() -> !seen.isEmpty());
        w.cancel();
        assertEquals(WatchEvent.Type.CHANGED, seen.get(0).type());
    }

    @Test
    void caches() {
        client.ensurePath("/cfg/db");
        List<String> reloaded = new CopyOnWriteArrayList<>();
        Optional<NodeData> loaded;
        // README: Caches
        try (KvorumCache cache = client.treeCache("/cfg")) {       // or client.nodeCache(path)
            cache.addListener(event -> reloaded.add(event.path()));
            cache.start();                                          // loaded and current
            Optional<NodeData> v = cache.get("/cfg/db");
            // README end
            loaded = v;
        }
        assertTrue(loaded.isPresent());
    }

    @Test
    void lock() {
        List<Long> written = new CopyOnWriteArrayList<>();
        // README: Lock
        try (DistributedLock lock = new DistributedLock(client, "/locks/orders")) {
            if (lock.acquire(Duration.ofSeconds(5))) {                // false when the time runs out
                written.add(lock.fencingToken());                     // e.g. store.write(record, token): stale tokens refused
            }
        }                                                             // released here
        // README end
        assertEquals(1, written.size());
    }

    @Test
    void leaderElection() throws Exception {
        List<Long> tokens = new CopyOnWriteArrayList<>();
        // README: Leader election
        LeaderElection election = new LeaderElection(client, "/election/scheduler", "node-a",
            LeadershipListener.of(token -> tokens.add(token), () -> tokens.clear()));   // or just token -> ...
        election.start();
        if (election.awaitLeadership(Duration.ofSeconds(10))) {
            election.currentLeader();   // Optional<String>: the leader's participant id, "node-a"
        }
        LeaderElection.leaderOf(client, "/election/scheduler");   // the same, without taking part
        election.close();           // resign and leave
        // README end
        assertEquals(Optional.empty(), LeaderElection.leaderOf(client, "/election/scheduler"));
    }

    @Test
    void serviceRegistry() {
        List<ServiceInstance> called = new CopyOnWriteArrayList<>();
        ServiceRegistry registry0 = new ServiceRegistry(client);
        ServiceRegistration payInstance = registry0.register(ServiceInstance.of("pay", "10.0.0.9", 9090));
        // README: Service registry
        ServiceRegistry registry = new ServiceRegistry(client);
        ServiceRegistration me = registry.register(ServiceInstance.of("orders", "10.0.0.5", 8080).withWeight(10));

        ServiceDiscovery orders = registry.discover("orders", LoadBalancing.WEIGHTED_ROUND_ROBIN);
        ServiceInstance target = orders.pick().orElseThrow();        // smooth weighted round robin

        ServiceDiscovery pay = registry.discover("pay", LoadBalancing.LEAST_OUTSTANDING);
        try (ServiceLease lease = pay.acquire().orElseThrow()) {     // counted until closed
            called.add(lease.instance());
        }
        registry.readInstances("orders");                            // one read from the cluster, not the view
        // README end
        assertEquals("10.0.0.5", target.address());
        assertEquals(1, called.size());
        orders.close();
        pay.close();
        me.close();
        payInstance.close();
    }
}
