package io.kvorum.jepsen.nemesis;

import io.kvorum.jepsen.harness.ProcessCluster;
import java.time.Duration;
import java.util.Random;

/** Every link slowed to a WAN: one-way delay between min and max ms, chosen per fault. */
public final class LatencyNemesis implements Nemesis {
    private final ProcessCluster cluster;
    private final int minMillis;
    private final int maxMillis;

    public LatencyNemesis(ProcessCluster cluster, int minMillis, int maxMillis) {
        this.cluster = cluster;
        this.minMillis = minMillis;
        this.maxMillis = maxMillis;
    }

    @Override
    public String name() {
        return "latency";
    }

    @Override
    public String start(Random random) {
        int ms = minMillis + random.nextInt(Math.max(1, maxMillis - minMillis + 1));
        cluster.network().delayAll(Duration.ofMillis(ms));
        return "every link delayed " + ms + " ms";
    }

    @Override
    public void stop() {
        cluster.network().restoreDelays();
    }
}
