package io.kvorum.client.recipes;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.client.KvorumClient;
import io.kvorum.client.fake.FakeCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Leader election: one leader, hand-over on resign, close and session expiry. */
class LeaderElectionTest {
    private FakeCluster cluster;
    private final List<KvorumClient> clients = new ArrayList<>();
    private final List<String> log = new CopyOnWriteArrayList<>();

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

    private LeaderElection participant(String id) {
        KvorumClient c = RecipeClients.of(cluster);
        clients.add(c);
        LeaderElection e = new LeaderElection(c, "/election/svc", id, new LeadershipListener() {
            @Override
            public void leadershipGained(long fencingToken) {
                log.add("+" + id);
            }

            @Override
            public void leadershipLost() {
                log.add("-" + id);
            }
        });
        e.start();
        return e;
    }

    @Test
    void exactlyOneLeaderAndHandOverOnResignAndClose() throws Exception {
        LeaderElection a = participant("a");
        await().until(a::isLeader);
        LeaderElection b = participant("b");
        // Positive signal first: b has its contender node and has read who leads.
        await().until(() -> clients.get(0).children("/election/svc").size() == 2 && b.currentLeader().isPresent());
        assertFalse(b.isLeader());
        assertEquals("a", a.currentLeader().orElseThrow());

        a.resign();
        await().until(b::isLeader);
        assertFalse(a.isLeader());
        assertEquals("b", b.currentLeader().orElseThrow());

        b.close();
        await().until(a::isLeader);
        a.close();
        await().until(() -> log.size() == 6);
        assertEquals(List.of("+a", "-a", "+b", "-b", "+a", "-a"), log);
    }

    @Test
    void aLeaderWhoseSessionExpiresStepsDown() throws Exception {
        LeaderElection a = participant("a");
        await().until(a::isLeader);
        long token = a.fencingToken();
        LeaderElection b = participant("b");
        cluster.state.expireSession(clients.get(0).session().id());
        // Bounded for a loaded machine: the expiry deletes a's node, b's watch fires, b reads.
        await().atMost(Duration.ofSeconds(30)).until(b::isLeader);
        assertTrue(b.fencingToken() > token);
        await().until(() -> log.contains("-a"));
        a.close();
        b.close();
    }
}
