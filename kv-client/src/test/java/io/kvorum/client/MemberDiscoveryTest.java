package io.kvorum.client;

import static io.kvorum.client.TestClients.bytes;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.client.fake.FakeCluster;
import io.kvorum.client.fake.FakeNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client learns the members and the leader from the cluster and keeps them current. */
class MemberDiscoveryTest {
    private FakeCluster cluster;

    @BeforeEach
    void setUp() throws Exception {
        cluster = new FakeCluster(3);
        cluster.state.listMembers = true;
    }

    @AfterEach
    void tearDown() throws Exception {
        cluster.close();
    }

    private static int kvCalls(FakeNode n) {
        return n.unaryCalls.get() - n.statusCalls.get() - n.probeCalls.get();
    }

    /** Generous timeouts: a first call on a loaded machine may take a second to connect. */
    private static KvorumClientBuilder builder(FakeCluster cluster) {
        return TestClients.builder(cluster).defaultDeadline(Duration.ofSeconds(10)).attemptTimeout(Duration.ofSeconds(3))
                .memberRefreshInterval(Duration.ofMillis(200));
    }

    private static KvorumClientBuilder builder(FakeNode only) {
        return KvorumClient.builder().endpoints(only.address()).defaultDeadline(Duration.ofSeconds(10))
                .attemptTimeout(Duration.ofSeconds(3)).memberRefreshInterval(Duration.ofMillis(200));
    }

    /** A call to every node, so no later call pays for connecting. */
    private static void warmUp(KvorumClient client) {
        for (int i = 0; i < 3; i++) {
            client.get("/");
        }
    }

    @Test
    void writesAndLinearizableReadsGoStraightToTheLeaderOnceItIsKnown() {
        cluster.state.leaderId = 2;
        FakeNode leader = cluster.node(1);
        try (KvorumClient client = builder(cluster).build()) {
            warmUp(client); // the first call starts discovery
            await().atMost(Duration.ofSeconds(15)).until(() -> leader.address().equals(leaderOf(client)));
            int before = kvCalls(leader);
            for (int i = 0; i < 20; i++) {
                client.create("/w" + i, bytes("x"));
            }
            assertEquals(before + 20, kvCalls(leader), "every write went to the leader");
            int linearizable = kvCalls(leader);
            for (int i = 0; i < 10; i++) {
                client.get("/");
            }
            assertEquals(linearizable + 10, kvCalls(leader), "linearizable reads went to the leader too");
            int[] reads = new int[3];
            for (int n = 0; n < 3; n++) {
                reads[n] = -kvCalls(cluster.node(n));
            }
            for (int i = 0; i < 30; i++) {
                client.get("/", RequestOptions.serializable());
            }
            for (int n = 0; n < 3; n++) {
                assertEquals(10, reads[n] + kvCalls(cluster.node(n)), "serializable reads spread over every member");
            }
        }
    }

    @Test
    void aClientWithDiscoveryOffNeverAsksForTheMembers() {
        cluster.state.leaderId = 1; // a leader known: a client with discovery on asks once, not again and again
        try (KvorumClient off = builder(cluster.node(0)).memberDiscovery(false).build()) {
            for (int i = 0; i < 5; i++) {
                off.get("/");
                off.create("/off" + i, bytes("x"));
            }
            // Discovery would have been queued on the client's timer at its first call, before this.
            CompletableFuture.runAsync(() -> { }, off.core().scheduler).join();
            // The positive signal: a client with discovery on, built after, has been asked for the list.
            try (KvorumClient on = builder(cluster.node(0)).memberRefreshInterval(Duration.ofMinutes(1)).build()) {
                on.get("/");
                await().atMost(Duration.ofSeconds(15)).until(() -> cluster.node(0).listMembersCalls.get() > 0);
            }
            assertEquals(List.of(1, 0, 0), List.of(cluster.node(0).listMembersCalls.get(),
                    cluster.node(1).listMembersCalls.get(), cluster.node(2).listMembersCalls.get()),
                    "only the client with discovery on asked, once");
            assertEquals(0, kvCalls(cluster.node(1)) + kvCalls(cluster.node(2)), "the calls stayed on the one endpoint");
        }
    }

    @Test
    void aClientGivenOneEndpointLearnsTheOthersAndUsesThem() {
        try (KvorumClient client = builder(cluster.node(0)).build()) {
            await().atMost(Duration.ofSeconds(15)).until(() -> {
                client.get("/", RequestOptions.serializable());
                return kvCalls(cluster.node(1)) > 0 && kvCalls(cluster.node(2)) > 0;
            });
        }
    }

    @Test
    void aMemberAddedLaterJoinsTheRotationAndOneRemovedLeavesIt() throws Exception {
        FakeNode third = cluster.node(2);
        cluster.state.members.remove(third.id);
        try (KvorumClient client = builder(cluster.node(0)).build()) {
            await().atMost(Duration.ofSeconds(15)).until(() -> {
                client.get("/", RequestOptions.serializable());
                return kvCalls(cluster.node(1)) > 0;
            });
            assertEquals(0, kvCalls(third), "not a member yet");

            cluster.state.members.put(third.id, third.address());
            await().atMost(Duration.ofSeconds(15)).until(() -> {
                client.get("/", RequestOptions.serializable());
                return kvCalls(third) > 0;
            });

            cluster.state.members.remove(cluster.node(1).id);
            await().atMost(Duration.ofSeconds(15)).until(() -> !client.core().endpoints.routable().stream()
                    .map(EndpointState::address).toList().contains(cluster.node(1).address()));
            int before = kvCalls(cluster.node(1));
            for (int i = 0; i < 12; i++) {
                client.get("/", RequestOptions.serializable());
            }
            assertEquals(before, kvCalls(cluster.node(1)), "a removed member gets no more calls");
        }
    }

    @Test
    void aNewLeaderIsFollowedAtOnceFromANoLeaderHint() {
        cluster.state.leaderId = 1;
        FakeNode oldLeader = cluster.node(0);
        FakeNode newLeader = cluster.node(2);
        try (KvorumClient client = builder(cluster).memberRefreshInterval(Duration.ofMinutes(10)).build()) {
            warmUp(client);
            await().atMost(Duration.ofSeconds(15)).until(() -> oldLeader.address().equals(leaderOf(client)));

            // Leadership moves: the old leader now refuses, naming the new one.
            cluster.state.leaderId = newLeader.id;
            oldLeader.noLeaderHint = newLeader.address();
            int before = kvCalls(newLeader);
            int oldBefore = kvCalls(oldLeader);
            for (int i = 0; i < 10; i++) {
                client.create("/n" + i, bytes("x"));
            }
            assertEquals(newLeader.address(), leaderOf(client));
            assertEquals(10, kvCalls(newLeader) - before, "the writes ended at the new leader");
            assertEquals(1, kvCalls(oldLeader) - oldBefore, "only the first write went to the old leader");
        }
    }

    @Test
    void nodesLeftOutDuringAnElectionServeAgainAsSoonAsTheNewLeaderIsKnown() {
        cluster.state.leaderId = 1;
        // Probes a minute apart: only the news of a new leader can bring a node back sooner.
        try (KvorumClient client = builder(cluster).endpointBackoff(Duration.ofSeconds(60), Duration.ofSeconds(60))
                .build()) {
            warmUp(client);
            await().atMost(Duration.ofSeconds(15)).until(() -> cluster.node(0).address().equals(leaderOf(client)));

            // An election: every node refuses, knowing no leader, and is left out.
            cluster.state.leaderId = 0;
            for (FakeNode n : cluster.nodes) {
                n.noLeaderHint = "";
            }
            List<CompletableFuture<CreateResult>> writes = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                writes.add(client.async().create("/e" + i, bytes("x"), CreateMode.PERSISTENT,
                        RequestOptions.deadline(Duration.ofSeconds(60))));
            }
            List<EndpointState> all = client.core().endpoints.routable();
            await().atMost(Duration.ofSeconds(15)).until(() -> all.stream().noneMatch(EndpointState::available));

            // Node 3 wins. The writes go through, and every node is probed and back in routing.
            for (FakeNode n : cluster.nodes) {
                n.noLeaderHint = null;
            }
            cluster.state.leaderId = 3;
            writes.forEach(CompletableFuture::join);
            await().atMost(Duration.ofSeconds(20)).until(() -> all.stream().allMatch(EndpointState::available));
            assertEquals(cluster.node(2).address(), leaderOf(client));
        }
    }

    @Test
    void aWriteHeldByAPausedLeaderGoesToTheNewLeaderOnceAnAnswerFromAHigherTermRevealsIt() {
        cluster.state.leaderId = 1;
        cluster.state.raftTerm = 2;
        FakeNode paused = cluster.node(0);
        FakeNode newLeader = cluster.node(2);
        // An attempt timeout far beyond the awaits below: only the leader move can end the write in time.
        try (KvorumClient client = builder(cluster).attemptTimeout(Duration.ofSeconds(120))
                .defaultDeadline(Duration.ofSeconds(240)).memberRefreshInterval(Duration.ofMinutes(10)).build()) {
            warmUp(client);
            await().atMost(Duration.ofSeconds(15)).until(() -> paused.address().equals(leaderOf(client)));

            // SIGSTOP of the leader: its connections stay open and nothing answers on them.
            paused.hang = true;
            int before = kvCalls(paused);
            CompletableFuture<CreateResult> write = client.async().create("/held", bytes("x"));
            await().atMost(Duration.ofSeconds(15)).until(() -> kvCalls(paused) > before);
            assertFalse(write.isDone(), "precondition: the paused leader holds the write");

            // Node 3 is elected in term 3; the client hears that term in a follower's answer.
            cluster.state.leaderId = newLeader.id;
            cluster.state.raftTerm = 3;
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                client.async().get("/", RequestOptions.deadline(Duration.ofMillis(500)));
                return write.isDone();
            });
            write.join();
            assertEquals(newLeader.address(), leaderOf(client));
            assertTrue(cluster.state.has("/held"), "the write was applied");
        }
    }

    @Test
    void aWriteWaitingAtTheLeaderForAQuarterOfItsAttemptTimeoutMakesTheClientAskAnotherNodeWhoLeads() {
        cluster.state.leaderId = 1;
        FakeNode paused = cluster.node(0);
        FakeNode newLeader = cluster.node(2);
        // The client sends nothing else: only the write's own wait can reveal the move, after 5 s.
        try (KvorumClient client = builder(cluster).attemptTimeout(Duration.ofSeconds(20))
                .defaultDeadline(Duration.ofSeconds(60)).memberRefreshInterval(Duration.ofMinutes(10)).build()) {
            warmUp(client);
            await().atMost(Duration.ofSeconds(15)).until(() -> paused.address().equals(leaderOf(client)));

            paused.hang = true;
            cluster.state.leaderId = newLeader.id;
            CompletableFuture<CreateResult> write = client.async().create("/held", bytes("x"));
            await().atMost(Duration.ofSeconds(15)).until(write::isDone);
            write.join();
            assertEquals(newLeader.address(), leaderOf(client));
            assertTrue(cluster.state.has("/held"), "the write was applied");
        }
    }

    private static String leaderOf(KvorumClient client) {
        EndpointState l = client.core().endpoints.leader();
        return l == null ? null : l.address();
    }
}
