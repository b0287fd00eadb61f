package io.kvorum.server.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kvorum.server.raft.Role;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An Error on a node's loop thread (an OutOfMemoryError while it reads log entries for a
 * follower, say) stops that node: it must not live on as a process whose loop is dead, taking
 * calls it never answers.
 */
class LoopFailureTest {
    @TempDir
    Path dir;
    NodeHarness cluster;

    @AfterEach
    void stopAll() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Throws an Error on the loop thread at node 1's next role or leader change, once armed. */
    private static final class FailingMetrics implements NodeMetrics {
        final AtomicBoolean armed = new AtomicBoolean();

        @Override
        public void softState(Role role, long leaderId) {
            if (armed.getAndSet(false)) {
                throw new OutOfMemoryError("Java heap space (thrown by the test)");
            }
        }
    }

    @Test
    void anErrorOnTheLoopStopsTheNodeSoItsCallersGetAnAnswerAndTheOthersServe() throws Exception {
        cluster = new NodeHarness(dir, "loop-failure", 3);
        FailingMetrics metrics = new FailingMetrics();
        cluster.nodes.put(1L, RaftNode.start(cluster.config(1, false), metrics, store -> new CounterStateMachine()));
        cluster.start(2);
        cluster.start(3);
        long leader = cluster.awaitLeaderKnownByAll();
        cluster.write(1, "before", "1");

        // Make node 1 see a leader change: it hands off leadership, or the leader hands it on.
        metrics.armed.set(true);
        if (leader == 1) {
            cluster.node(1).transferLeadership(2);
        } else {
            cluster.node(leader).transferLeadership(leader == 2 ? 3 : 2);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> !metrics.armed.get());

        // Every call on node 1 is answered, with an error that sends the caller elsewhere.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            CompletableFuture<byte[]> f = cluster.node(1).propose(CounterStateMachine.put("k", "v"));
            CompletionException e = assertThrows(CompletionException.class,
                    () -> f.orTimeout(2, TimeUnit.SECONDS).join());
            assertInstanceOf(NotLeaderException.class, e.getCause(), e.getCause().toString());
            assertEquals(0, ((NotLeaderException) e.getCause()).leaderId(), "a stopped node knows no leader");
        });
        // The two others still make a quorum and serve.
        long survivor = cluster.node(2) != null ? 2 : 3;
        cluster.write(survivor, "after", "2");
        assertEquals("2", cluster.read(survivor, "after"));
    }
}
