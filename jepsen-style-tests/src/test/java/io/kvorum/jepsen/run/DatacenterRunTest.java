package io.kvorum.jepsen.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.jepsen.checker.Verdict;
import io.kvorum.jepsen.harness.ServerProcess;
import io.kvorum.jepsen.harness.Topology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The register workload on three datacenters (one voter each) and an observer in a fourth, WAN
 * delay between them, while whole datacenters are cut off (the leader's, a random one, or all
 * apart): the history must be linearizable, with the observer's share of reads among it
 * (client threads 0 and 4 read through the observer), and no acknowledged write may be lost
 * (the final reads are part of the checked history). Reports stay in {@code target/jepsen-datacenters/}.
 * {@code -Djepsen.datacenters.seconds=N} changes the time, {@code -Djepsen.datacenters.layout=2+2+1}
 * the voters, {@code -Djepsen.seed=S} fixes the seed.
 */
class DatacenterRunTest {
    private static final Duration TIME = Duration.ofSeconds(Long.getLong("jepsen.datacenters.seconds", 30));
    private static final String LAYOUT = System.getProperty("jepsen.datacenters.layout", "1+1+1");
    /**
     * Datacenter outages only by default: 30 s holds two or three faults, and each must be one.
     * WAN latency faults are the subject of DatacenterClusterTest; by hand, mix them in with
     * {@code -Djepsen.datacenters.nemesis=datacenter-partition,wan-latency}.
     */
    private static final String NEMESIS = System.getProperty("jepsen.datacenters.nemesis", "datacenter-partition");

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void registersStayLinearizableThroughTheObserverWhileDatacentersAreCutOff() throws Exception {
        long seed = Long.getLong("jepsen.seed", System.nanoTime());
        Topology t = Topology.parse(LAYOUT, 1, Duration.ofMillis(10), true);
        Path dir = Path.of("target", "jepsen-datacenters", "register-" + seed);
        RunResult r = TestRun.run(new RunOptions("register", NEMESIS, TIME, 5, t.size(),
                seed, dir, Duration.ofSeconds(60), 2 * TIME.toSeconds(), false, t));
        System.out.println("datacenters " + t.describe() + ", seed " + seed + ": " + r.summary());
        assertFalse(r.faults().isEmpty(), "no fault was injected: " + r.summary());
        assertTrue(r.faults().stream().anyMatch(f -> f.nemesis().equals("datacenter-partition")),
                "no datacenter was cut off: " + r.faults());
        assertEquals(Verdict.VALID, r.verdict(), r.summary());
        long observer = t.observers().iterator().next();
        String metrics = Files.readString(dir.resolve("cluster").resolve("node-" + observer + ".metrics"));
        double reads = ServerProcess.metric(metrics, "kvorum_api_requests_total", "/Get\"", "code=\"OK\"");
        assertTrue(reads > 10, "the observer served the reads of its site's clients: " + reads + " gets");
    }
}
