package io.kvorum.jepsen.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.jepsen.nemesis.WanLatencyNemesis;
import io.kvorum.jepsen.net.LinkMode;
import io.kvorum.jepsen.net.Partitions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real servers placed in datacenters, their links through the harness's proxies: what an
 * observer must never do, and leader placement under a changing WAN.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class DatacenterClusterTest {
    private static final Duration PATIENCE = Duration.ofSeconds(180);
    private static final String ELECTIONS = "kvorum_raft_elections_started_total";

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
    void theObserverJoinsAsAnObserverInItsOwnDatacenterBehindTheProxies() throws Exception {
        Topology t = Topology.parse("1+1+1", 1, Duration.ofMillis(5), false);
        cluster = ProcessCluster.start(ClusterSpec.of(t), dir);
        long leader = cluster.awaitLeader(PATIENCE);
        NodeStatus s = cluster.node(leader).status().orElseThrow();
        assertEquals(Set.of(1L, 2L, 3L), s.voters(), "the observer id stopped being a founding voter");
        Awaitility.await().atMost(PATIENCE).untilAsserted(() ->
                assertEquals(Set.of(4L), cluster.node(leader).status().orElseThrow().observers()));
        // Started empty with --join, it is a plain follower until it applied its own addition.
        awaitLearner(4);
        assertEquals("dc4", t.datacenterOf(4));
        assertTrue(cluster.network().link(leader, 4).accepted() > 0, "the leader reaches the observer through a proxy");
        assertEquals(Duration.ofMillis(5), cluster.network().link(leader, 4).delay(), "across the WAN");
    }

    /**
     * Voters cut off from each other but not from the observer: were the observer's vote
     * counted, any voter would win with it (2 of 3). Every voter campaigns and none wins; the
     * observer never campaigns and stays a learner. After the heal a voter leads.
     */
    @Test
    void votersPartitionedFromEachOtherDoNotElectThroughTheObserver() throws Exception {
        Topology t = Topology.parse("1+1+1", 1, Duration.ZERO, false);
        cluster = ProcessCluster.start(ClusterSpec.of(t), dir);
        cluster.awaitLeader(PATIENCE);
        // The observer must have learned it is one before the cut: a node that heard no
        // leader since it started reports itself a follower.
        awaitLearner(4);
        List<Long> voters = t.voters();
        List<Set<Long>> alone = new ArrayList<>();
        voters.forEach(v -> alone.add(Set.of(v)));
        cluster.network().apply(Partitions.components("voters apart", alone));
        assertEquals(LinkMode.OPEN, cluster.network().link(1, 4).mode(), "the observer's links stay open");

        // Positive signal first: the old leader stepped down and every voter campaigns at once,
        // each a vote short of winning, with the observer's vote one open link away.
        Awaitility.await().atMost(PATIENCE).pollInterval(Duration.ofMillis(100)).until(() ->
                voters.stream().allMatch(v -> cluster.node(v).status().map(s -> s.role().equals("candidate"))
                        .orElse(false)));
        // Then nobody wins for many election timeouts (500-1000 ms each).
        Awaitility.await().during(Duration.ofSeconds(5)).atMost(PATIENCE).until(() -> cluster.leader().isEmpty());
        assertEquals(0.0, elections(4), "the observer never campaigns");
        assertTrue(voters.stream().allMatch(v -> elections(v) > 0), "the voters' campaigns are counted");
        Awaitility.await().atMost(PATIENCE).until(() -> cluster.node(4).status(), Optional::isPresent)
                .ifPresent(s -> assertEquals("learner", s.role(), "the observer stays an observer"));

        cluster.network().healAll();
        long leader = cluster.awaitLeader(PATIENCE);
        assertTrue(voters.contains(leader), "a voter leads after the heal, not " + leader);
    }

    /**
     * Leadership preferred in dc1 stays there while every pair of datacenters gets a new WAN
     * delay every second or so: the delays are no reason to move it, so the leader and its term
     * stay the same throughout.
     */
    @Test
    void leaderPlacementDoesNotFlapUnderAWanLatencyNemesis() throws Exception {
        Topology t = Topology.parse("1+1+1", 0, Duration.ofMillis(10), true);
        cluster = ProcessCluster.start(ClusterSpec.of(t).withTimeouts(100, 1000), dir);
        Awaitility.await().atMost(PATIENCE).until(() -> cluster.leader().map(l -> l == 1L).orElse(false)
                && cluster.node(1).status().map(s -> s.leaderId() == 1).orElse(false));
        long term = cluster.node(1).status().orElseThrow().term();
        WanLatencyNemesis wan = new WanLatencyNemesis(cluster, 5, 100);
        Random random = new Random(42);
        Map<Long, Long> leaderSamples = new TreeMap<>();
        Set<Long> terms = new TreeSet<>();
        int rounds = 6;
        for (int round = 0; round < rounds; round++) {
            assertTrue(wan.start(random).startsWith("one-way WAN delays"));
            sample(leaderSamples, terms, 12);
            wan.stop();
            sample(leaderSamples, terms, 4);
        }
        assertEquals(Duration.ofMillis(10), cluster.network().link(1, 2).delay(), "stop restores the WAN");
        assertTrue(leaderSamples.getOrDefault(1L, 0L) > rounds * 10L, "the leader was seen: " + leaderSamples);
        assertEquals(Set.of(1L), leaderSamples.keySet(), "leadership stayed in dc1: " + leaderSamples);
        assertEquals(Set.of(term), terms, "no election happened");
    }

    /** {@code n} samples of the leader and its term, 100 ms apart. */
    private void sample(Map<Long, Long> leaders, Set<Long> terms, int n) throws InterruptedException {
        for (int i = 0; i < n; i++) {
            cluster.leader().ifPresent(l -> {
                leaders.merge(l, 1L, Long::sum);
                cluster.node(l).status().ifPresent(s -> terms.add(s.term()));
            });
            Thread.sleep(100);
        }
    }

    /** Waits until node {@code id} reports itself a learner (it heard a leader that counts it as an observer). */
    private void awaitLearner(long id) {
        Awaitility.await().atMost(PATIENCE).until(() ->
                cluster.node(id).status().map(x -> x.role().equals("learner")).orElse(false));
    }

    /** Elections node {@code id} started, from its /metrics (asked again while a loaded node is slow to answer). */
    private double elections(long id) {
        String text = Awaitility.await().atMost(PATIENCE).until(() -> cluster.node(id).metrics(), Optional::isPresent)
                .orElseThrow();
        return ServerProcess.metric(text, ELECTIONS);
    }
}
