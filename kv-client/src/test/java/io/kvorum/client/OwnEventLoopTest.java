package io.kvorum.client;

import static io.kvorum.client.TestClients.bytes;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.kvorum.client.fake.FakeCluster;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@link KvorumClientBuilder#ownEventLoop}: the client's calls run on a loop of its own, and
 * closing the client stops it, so a short-lived JVM has no thread left waiting in the kernel.
 */
class OwnEventLoopTest {
    @Test
    void callsRunOnTheClientsOwnLoopAndCloseStopsIt() throws Exception {
        try (FakeCluster cluster = new FakeCluster(3)) {
            KvorumClient client = TestClients.builder(cluster).ownEventLoop(true).build();
            client.create("/a", bytes("one"));
            assertEquals("one", client.get("/a").dataAsString());
            assertFalse(ownLoopThreads().isEmpty(), "the calls did not run on the client's own event loop");

            client.close();
            await().atMost(Duration.ofSeconds(5)).until(() -> ownLoopThreads().isEmpty());
        }
    }

    private static List<String> ownLoopThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("kvorum-client-io")).collect(Collectors.toList());
    }
}
