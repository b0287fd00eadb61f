package io.kvorum.jepsen.nemesis;

import io.kvorum.jepsen.harness.ProcessCluster;
import io.kvorum.jepsen.harness.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The WAN changes under the cluster: each pair of datacenters gets its own one-way delay, chosen
 * per fault between min and max ms (the same both ways), on every link between their nodes;
 * links inside a datacenter stay fast. On stop every link returns to the topology's WAN delay.
 * What leader placement must not chase: a slower link to the preferred datacenter is no reason
 * to move leadership.
 */
public final class WanLatencyNemesis implements Nemesis {
    private final ProcessCluster cluster;
    private final int minMillis;
    private final int maxMillis;

    public WanLatencyNemesis(ProcessCluster cluster, int minMillis, int maxMillis) {
        if (cluster.topology() == null) {
            throw new IllegalArgumentException("WAN latency faults need a cluster placed in datacenters");
        }
        if (minMillis < 0 || maxMillis < minMillis) {
            throw new IllegalArgumentException("need 0 <= min <= max, got " + minMillis + ".." + maxMillis);
        }
        this.cluster = cluster;
        this.minMillis = minMillis;
        this.maxMillis = maxMillis;
    }

    @Override
    public String name() {
        return "wan-latency";
    }

    @Override
    public String start(Random random) {
        Topology t = cluster.topology();
        List<Map.Entry<String, Set<Long>>> dcs = new ArrayList<>(t.byDatacenter().entrySet());
        List<String> said = new ArrayList<>();
        for (int i = 0; i < dcs.size(); i++) {
            for (int j = i + 1; j < dcs.size(); j++) {
                int ms = minMillis + random.nextInt(maxMillis - minMillis + 1);
                Duration d = Duration.ofMillis(ms);
                for (long a : dcs.get(i).getValue()) {
                    for (long b : dcs.get(j).getValue()) {
                        cluster.network().delay(a, b, d);
                        cluster.network().delay(b, a, d);
                    }
                }
                said.add(dcs.get(i).getKey() + "-" + dcs.get(j).getKey() + " " + ms + " ms");
            }
        }
        return "one-way WAN delays " + String.join(", ", said);
    }

    @Override
    public void stop() {
        cluster.network().restoreDelays();
    }
}
