package io.kvorum.jepsen.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.client.KvorumClient;
import io.kvorum.jepsen.nemesis.ClusterAdmin;
import io.kvorum.jepsen.nemesis.FaultLog;
import io.kvorum.jepsen.nemesis.FaultWindow;
import io.kvorum.jepsen.nemesis.KvClusterAdmin;
import io.kvorum.jepsen.nemesis.LeaderTransferNemesis;
import io.kvorum.jepsen.nemesis.MembershipNemesis;
import io.kvorum.jepsen.nemesis.Nemesis;
import io.kvorum.jepsen.nemesis.NemesisSchedule;
import io.kvorum.jepsen.nemesis.PartitionNemesis;
import io.kvorum.jepsen.nemesis.ProcessNemesis;
import io.kvorum.jepsen.nemesis.RunClock;
import io.kvorum.jepsen.net.Partitions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Three real kvorum-server processes whose peer links all pass through proxies. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ProcessClusterTest {
    private static final Duration ELECTION = Duration.ofSeconds(30);
    @TempDir
    Path dir;
    private ProcessCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
            for (ServerProcess n : cluster.nodes()) {
                assertFalse(n.isRunning(), n + " still running after close");
            }
        }
    }

    @Test
    void isolatingTheLeaderElectsAnotherAndHealingReunitesThem() throws Exception {
        cluster = ProcessCluster.start(ClusterSpec.of(3), dir);
        long leader = cluster.awaitLeader(ELECTION);
        long term = cluster.node(leader).status().orElseThrow().term();
        assertTrue(cluster.network().link(leader, leader == 1 ? 2 : 1).accepted() > 0,
                "raft traffic goes through the proxies");

        cluster.network().apply(Partitions.isolate(leader, cluster.ids()));
        List<Long> others = new ArrayList<>(cluster.ids());
        others.remove(leader);
        long next = cluster.awaitLeader(ELECTION, others);
        assertNotEquals(leader, next);
        NodeStatus s = cluster.node(next).status().orElseThrow();
        assertTrue(s.term() > term, "the new leader serves in a later term: " + s);

        cluster.network().healAll();
        long reunited = cluster.awaitLeader(ELECTION);
        long commit = cluster.node(reunited).status().orElseThrow().commitIndex();
        org.awaitility.Awaitility.await().atMost(ELECTION).untilAsserted(() ->
                assertTrue(cluster.node(leader).status().orElseThrow().appliedIndex() >= commit,
                        "the old leader catches up after the heal"));
    }

    @Test
    void aMixedScheduleOfKillsPausesAndPartitionsEndsHealed() throws Exception {
        cluster = ProcessCluster.start(ClusterSpec.of(3), dir);
        cluster.awaitLeader(ELECTION);
        RunClock clock = new RunClock();
        FaultLog log = new FaultLog(clock);
        List<Nemesis> nemeses = List.of(
                new ProcessNemesis(cluster, ProcessNemesis.Action.KILL, ProcessNemesis.Target.LEADER),
                new ProcessNemesis(cluster, ProcessNemesis.Action.PAUSE, ProcessNemesis.Target.ONE),
                PartitionNemesis.halves(cluster),
                PartitionNemesis.isolateLeader(cluster));
        NemesisSchedule.Timing quick = new NemesisSchedule.Timing(Duration.ofSeconds(1), Duration.ofMillis(1500),
                Duration.ofMillis(2500), Duration.ofMillis(1000), Duration.ofMillis(1500));
        NemesisSchedule schedule = new NemesisSchedule(nemeses, new Random(11), quick, log);
        schedule.start();
        Thread.sleep(12_000);
        assertEquals(List.of(), schedule.stopAndHeal());

        List<FaultWindow> windows = log.windows();
        assertTrue(windows.size() >= 2, "faults happened: " + windows);
        for (FaultWindow w : windows) {
            assertTrue(w.end() >= w.start(), "every fault ended: " + w);
        }
        for (ServerProcess n : cluster.nodes()) {
            assertTrue(n.isRunning() && !n.isPaused(), n + " healed");
        }
        long leader = cluster.awaitLeader(ELECTION);
        long commit = cluster.node(leader).status().orElseThrow().commitIndex();
        org.awaitility.Awaitility.await().atMost(ELECTION).untilAsserted(() -> {
            for (ServerProcess n : cluster.nodes()) {
                assertTrue(n.status().orElseThrow().appliedIndex() >= commit, n + " caught up to " + commit);
            }
        });
        System.out.println("faults: " + windows);
    }

    @Test
    void nemesesNeedingTheClusterApiDeclineWithoutIt() throws Exception {
        cluster = ProcessCluster.start(ClusterSpec.of(3), dir);
        cluster.awaitLeader(ELECTION);
        assertNull(new LeaderTransferNemesis(cluster, ClusterAdmin.UNAVAILABLE).start(new Random(1)));
        assertNull(new MembershipNemesis(cluster, ClusterAdmin.UNAVAILABLE).start(new Random(1)));
    }

    @Test
    void transferMovesLeadershipAndARemovedMemberComesBackAsANewVoter() throws Exception {
        cluster = ProcessCluster.start(ClusterSpec.of(3), dir);
        long leader = cluster.awaitLeader(ELECTION);
        List<String> endpoints = cluster.nodes().stream().map(ServerProcess::clientAddress).toList();
        try (KvorumClient client = KvorumClient.builder().endpoints(endpoints.toArray(String[]::new))
                .defaultDeadline(Duration.ofSeconds(10)).build()) {
            ClusterAdmin admin = new KvClusterAdmin(client);
            String moved = new LeaderTransferNemesis(cluster, admin).start(new Random(3));
            assertTrue(moved.startsWith("leadership " + leader + " -> "), moved);
            assertNotEquals(leader, cluster.awaitLeader(ELECTION));

            client.create("/before", "1".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            MembershipNemesis membership = new MembershipNemesis(cluster, admin);
            String removed = membership.start(new Random(5));
            assertTrue(removed != null && removed.startsWith("removed member "), removed);
            long victim = Long.parseLong(removed.replaceAll("removed member (\\d+).*", "$1"));
            List<Long> rest = new ArrayList<>(cluster.ids());
            rest.remove(Long.valueOf(victim));
            long l = cluster.awaitLeader(ELECTION, rest);
            assertFalse(cluster.node(l).status().orElseThrow().voters().contains(victim), "removed: " + removed);
            client.create("/while-removed", new byte[0]);

            membership.stop();
            long back = cluster.awaitLeader(ELECTION);
            assertEquals(java.util.Set.copyOf(cluster.ids()), cluster.node(back).status().orElseThrow().voters(),
                    "every node a voter again");
            long commit = cluster.node(back).status().orElseThrow().commitIndex();
            org.awaitility.Awaitility.await().atMost(ELECTION).untilAsserted(() ->
                    assertTrue(cluster.node(victim).status().orElseThrow().appliedIndex() >= commit,
                            "the new member caught up (from an empty data dir)"));
            assertTrue(client.exists("/while-removed").isPresent());
        }
    }
}
