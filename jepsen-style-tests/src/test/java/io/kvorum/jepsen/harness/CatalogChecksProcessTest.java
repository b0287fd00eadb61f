package io.kvorum.jepsen.harness;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvorum.client.KvorumClient;
import io.kvorum.client.recipes.HealthStatus;
import io.kvorum.client.recipes.ServiceCheck;
import io.kvorum.client.recipes.ServiceHealth;
import io.kvorum.client.recipes.ServiceInstance;
import io.kvorum.client.recipes.ServiceRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service catalog's checks are the cluster's duty on real kvorum-server processes started
 * without {@code --http-listen} (as the packaged configuration is): a TCP check registered
 * through the Java recipe follows its target down and up, and the next leader takes it over
 * when the leader is killed.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class CatalogChecksProcessTest {
    private static final Duration ELECTION = Duration.ofSeconds(30);
    /** Two probe intervals and the scan, with room for a loaded machine. */
    private static final Duration STATUS_CHANGE = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    private ProcessCluster cluster;
    private ServerSocket target;

    @AfterEach
    void stop() throws IOException {
        if (target != null) {
            target.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aTcpCheckIsRunByTheLeaderWithoutAnHttpPortAndTakenOverByTheNext() throws Exception {
        cluster = ProcessCluster.start(ClusterSpec.of(3), dir);
        long leader = cluster.awaitLeader(ELECTION);
        target = listen(0);
        int port = target.getLocalPort();
        List<String> endpoints = cluster.nodes().stream().map(ServerProcess::clientAddress).toList();
        try (KvorumClient client = KvorumClient.builder().endpoints(endpoints.toArray(String[]::new))
                .defaultDeadline(Duration.ofSeconds(10)).build()) {
            ServiceRegistry registry = new ServiceRegistry(client);
            registry.put(ServiceInstance.of("db", "127.0.0.1", port).withId("db-1")
                    .withChecks(ServiceCheck.tcp("127.0.0.1:" + port, Duration.ofMillis(200))));
            awaitStatus(registry, HealthStatus.PASSING);

            target.close();
            awaitStatus(registry, HealthStatus.CRITICAL);
            target = listen(port);
            awaitStatus(registry, HealthStatus.PASSING);

            cluster.node(leader).kill();
            cluster.awaitLeader(ELECTION, cluster.ids().stream().filter(id -> id != leader).toList());
            target.close();
            awaitStatus(registry, HealthStatus.CRITICAL);
        }
    }

    /** A loopback listener that accepts and closes every connection (a probe), until closed. */
    private static ServerSocket listen(int port) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        Thread acceptor = new Thread(() -> {
            while (!s.isClosed()) {
                try (Socket probe = s.accept()) {
                    // a TCP check only connects: closing the connection is the whole answer
                } catch (IOException closed) {
                    // the listener was closed: the loop ends
                }
            }
        }, "probe-acceptor-" + port);
        acceptor.setDaemon(true);
        acceptor.start();
        return s;
    }

    private static void awaitStatus(ServiceRegistry registry, HealthStatus status) {
        await().atMost(STATUS_CHANGE).pollInterval(Duration.ofMillis(100)).ignoreExceptions().untilAsserted(() -> {
            List<ServiceHealth> h = registry.health("db");
            assertEquals(1, h.size(), "db's instances: " + h);
            assertEquals(status, h.get(0).status(), "db-1: " + h.get(0));
        });
    }
}
