package io.kvorum.client;

import static io.kvorum.client.TestClients.bytes;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.client.fake.FakeCluster;
import io.kvorum.client.fake.FakeNode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Sessions: kept alive in the background, and their states as the cluster comes and goes. */
class SessionTest {
    private FakeCluster cluster;
    private KvorumClient client;
    private final List<SessionState> states = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        cluster = new FakeCluster(3);
        client = TestClients.of(cluster); // session TTL 1.5 s: keep-alives every 500 ms
        client.addSessionStateListener((s, state) -> states.add(state));
    }

    @AfterEach
    void tearDown() throws Exception {
        client.close();
        cluster.close();
    }

    private int keepAlives() {
        return cluster.nodes.stream().mapToInt(n -> n.keepAlives.get()).sum();
    }

    @Test
    void aSessionIsKeptAliveEveryThirdOfItsTtl() throws Exception {
        Session s = client.session();
        await().until(() -> states.contains(SessionState.CONNECTED));
        int before = keepAlives();
        Thread.sleep(2000);
        int sent = keepAlives() - before;
        assertTrue(sent >= 3 && sent <= 7, sent + " keep-alives in 2 s");
        // On a loaded machine one answer may come later than TTL/3 (SUSPENDED, then RECONNECTED).
        assertTrue(s.state().isConnected(), s.state().toString());
        assertTrue(cluster.state.sessionAlive(s.id()));
    }

    @Test
    void unansweredKeepAlivesSuspendAndAnswersReconnect() throws Exception {
        Session s = client.session();
        for (FakeNode n : cluster.nodes) {
            n.hang = true;
        }
        await().atMost(Duration.ofSeconds(2)).until(() -> s.state() == SessionState.SUSPENDED);
        for (FakeNode n : cluster.nodes) {
            n.hang = false;
        }
        await().atMost(Duration.ofSeconds(3)).until(() -> s.state() == SessionState.RECONNECTED);
        // LOST may come in between: the stream opened while every node hung needs one more
        // interval to be given up, and LOST is due at 9/10 of the 1.5 s TTL.
        await().until(() -> states.size() >= 3 && states.get(states.size() - 1) == SessionState.RECONNECTED);
        assertEquals(List.of(SessionState.CONNECTED, SessionState.SUSPENDED), states.subList(0, 2));
        assertFalse(states.contains(SessionState.EXPIRED));
    }

    @Test
    void aNodeFailureMovesTheKeepAliveStreamToAnotherNode() throws Exception {
        Session s = client.session();
        await().until(() -> keepAlives() > 0);
        FakeNode holder = cluster.nodes.stream().filter(n -> n.keepAlives.get() > 0).findFirst().orElseThrow();
        holder.stop();
        await().atMost(Duration.ofSeconds(3)).until(() -> cluster.nodes.stream()
                .anyMatch(n -> n != holder && n.keepAlives.get() > 0));
        await().atMost(Duration.ofSeconds(2)).until(() -> s.state().isConnected());
        assertTrue(cluster.state.sessionAlive(s.id()));
    }

    @Test
    void noAnswerForAWholeTtlIsLostAndTheClustersWordSettlesIt() throws Exception {
        Session s = client.session();
        cluster.stopAll();
        await().atMost(Duration.ofSeconds(3)).until(() -> s.state() == SessionState.LOST);
        assertTrue(states.indexOf(SessionState.SUSPENDED) < states.indexOf(SessionState.LOST));

        cluster.startAll(); // the fake kept the session: it is still alive
        await().atMost(Duration.ofSeconds(8)).until(() -> s.state() == SessionState.RECONNECTED);
    }

    @Test
    void anExpiredSessionIsReplacedAndItsEphemeralsAreGone() throws Exception {
        client.create("/mine", bytes(""), CreateMode.EPHEMERAL);
        Session first = client.session();
        cluster.state.expireSession(first.id());
        await().atMost(Duration.ofSeconds(2)).until(() -> first.state() == SessionState.EXPIRED);
        assertFalse(cluster.state.has("/mine"));

        Session second = client.session();
        assertNotEquals(first.id(), second.id());
        await().until(() -> states.equals(List.of(SessionState.CONNECTED, SessionState.EXPIRED,
                SessionState.CONNECTED)));
    }

    @Test
    void anOpenWhoseReplyIsLostOpensOneSession() {
        for (FakeNode n : cluster.nodes) {
            n.loseReplies.set(1);
        }
        Session s = client.session();
        assertEquals(1, cluster.state.executedWrites.get());
        assertTrue(cluster.state.sessionAlive(s.id()));
    }

    @Test
    void closingASessionDeletesItsEphemeralsAtOnce() {
        Session extra = client.openSession(Duration.ofSeconds(5));
        client.create("/e", bytes(""), CreateMode.EPHEMERAL, RequestOptions.session(extra));
        assertTrue(cluster.state.has("/e"));
        extra.close();
        assertFalse(cluster.state.has("/e"));
        assertEquals(SessionState.CLOSED, extra.state());
    }
}
