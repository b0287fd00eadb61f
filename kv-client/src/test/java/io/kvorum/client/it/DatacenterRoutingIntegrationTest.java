package io.kvorum.client.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.MethodDescriptor;
import io.kvorum.client.KvorumClient;
import io.kvorum.client.MemberInfo;
import io.kvorum.client.RequestOptions;
import io.kvorum.server.api.Placement;
import io.kvorum.server.testing.InJvmCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that knows only its own datacenter's name and one endpoint: it learns the members and
 * their datacenters from the cluster, keeps reads in its datacenter, sends writes to the leader,
 * uses a member added later, and falls back to the other datacenter when its own is down.
 * Voters 1 and 2 run in dc1, voter 3 in dc2 (so dc2 can be lost without losing the quorum).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DatacenterRoutingIntegrationTest {
    @TempDir
    Path dir;
    InJvmCluster cluster;
    /** Unary calls the client sent, by method name, then by endpoint address. */
    final Map<String, Map<String, AtomicInteger>> calls = new ConcurrentHashMap<>();

    @BeforeEach
    void start() throws Exception {
        cluster = new InJvmCluster(dir, 3, "dc-routing");
        cluster.placement(1, new Placement("dc1", "", List.of()))
                .placement(2, new Placement("dc1", "", List.of()))
                .placement(3, new Placement("dc2", "", List.of()));
        cluster.startAll();
        cluster.awaitLeader();
        cluster.awaitAddressesAnnounced();
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private KvorumClient client(String bootstrap) {
        return KvorumClient.builder().endpoints(bootstrap).localDatacenter("dc2").batching(false)
                .defaultDeadline(Duration.ofSeconds(10)).attemptTimeout(Duration.ofSeconds(2))
                .endpointBackoff(Duration.ofMillis(100), Duration.ofSeconds(1))
                .memberRefreshInterval(Duration.ofMillis(200)).channelFactory(this::countingChannel).build();
    }

    private io.grpc.ManagedChannel countingChannel(String address) {
        return Grpc.newChannelBuilder(address, InsecureChannelCredentials.create()).intercept(new ClientInterceptor() {
            @Override
            public <Q, A> ClientCall<Q, A> interceptCall(MethodDescriptor<Q, A> method, CallOptions options,
                                                         Channel next) {
                calls.computeIfAbsent(method.getBareMethodName(), m -> new ConcurrentHashMap<>())
                        .computeIfAbsent(address, a -> new AtomicInteger()).incrementAndGet();
                return next.newCall(method, options);
            }
        }).build();
    }

    private int count(String method, long node) {
        AtomicInteger n = calls.getOrDefault(method, Map.of()).get(cluster.clientAddress(node));
        return n == null ? 0 : n.get();
    }

    /** Reads until the client learned the member list and its reads reach node {@code node}. */
    private void awaitReadsReach(KvorumClient client, long node) {
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            client.get("/");
            return count("Get", node) > 0;
        });
    }

    @Test
    void readsStayInTheLocalDatacenterAndWritesGoToTheLeader() {
        try (KvorumClient client = client(cluster.clientAddress(1))) {
            awaitReadsReach(client, 3);
            int[] before = {count("Get", 1), count("Get", 2), count("Get", 3)};
            for (int i = 0; i < 20; i++) {
                client.get("/");
            }
            assertEquals(before[0], count("Get", 1), "no read left dc2");
            assertEquals(before[1], count("Get", 2), "no read left dc2");
            assertEquals(before[2] + 20, count("Get", 3));

            long leader = cluster.awaitLeader();
            AtomicInteger warmUps = new AtomicInteger();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                int c = count("Create", leader);
                client.create("/warm-up-" + warmUps.incrementAndGet(), "x");
                return count("Create", leader) == c + 1;
            });
            int toLeader = count("Create", leader);
            int toOthers = count("Create", 1) + count("Create", 2) + count("Create", 3) - toLeader;
            for (int i = 0; i < 10; i++) {
                client.create("/w" + i, "x");
            }
            assertEquals(toLeader + 10, count("Create", leader), "writes go straight to the leader");
            assertEquals(toOthers, count("Create", 1) + count("Create", 2) + count("Create", 3) - count("Create", leader));
        }
    }

    @Test
    void aMemberAddedLaterInTheLocalDatacenterIsUsedAndTheOthersServeWhenItIsDown() throws Exception {
        try (KvorumClient client = client(cluster.clientAddress(1))) {
            awaitReadsReach(client, 3);
            cluster.reserve(4);
            cluster.placement(4, new Placement("dc2", "", List.of()));
            List<MemberInfo> members = client.cluster().addMember(4, cluster.peerAddress(4));
            assertTrue(members.stream().anyMatch(m -> m.id() == 4 && m.learner()));
            cluster.start(4, true);
            awaitReadsReach(client, 4);
            assertEquals("dc2", client.cluster().members().members().stream().filter(m -> m.id() == 4)
                    .findFirst().orElseThrow().datacenter());

            // dc2 goes dark: reads fail over to dc1 (serializable ones need no leader round trip).
            cluster.stop(3);
            cluster.stop(4);
            int before = count("Get", 1) + count("Get", 2);
            for (int i = 0; i < 10; i++) {
                client.get("/", RequestOptions.serializable());
            }
            assertTrue(count("Get", 1) + count("Get", 2) >= before + 10, "the other datacenter served the reads");
        }
    }
}
