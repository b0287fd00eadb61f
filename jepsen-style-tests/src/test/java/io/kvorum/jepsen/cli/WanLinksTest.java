package io.kvorum.jepsen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvorum.jepsen.harness.Topology;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The datacenter options {@code run} and {@code wan} share: parsed the same way by both commands. */
class WanLinksTest {
    @Test
    void runTakesObserversAndWanDelayIntoItsTopology() {
        RunCommand run = new RunCommand();
        new CommandLine(run).parseArgs("--workload", "register", "--datacenters", "1+1+1", "--observers", "2",
                "--wan-ms", "40");
        Topology t = run.links.topology(run.datacenters);
        assertEquals(5, t.size());
        assertEquals(2, t.observers().size());
        assertEquals(Duration.ofMillis(40), t.wanOneWay());
    }

    @Test
    void wanKeepsItsDefaults() {
        WanCommand wan = new WanCommand();
        new CommandLine(wan).parseArgs();
        Topology t = wan.links.topology(wan.layout);
        assertEquals(6, t.size());
        assertEquals(1, t.observers().size());
        assertEquals(Duration.ofMillis(25), t.wanOneWay());
    }
}
