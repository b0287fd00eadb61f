package io.kvorum.jepsen.cli;

import io.kvorum.jepsen.harness.Topology;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * What a command placing its cluster in datacenters adds to the voters' layout (a picocli
 * mixin): the observers, each in a site of its own, and the one-way delay of the simulated WAN.
 */
final class WanLinks {
    @Option(names = "--observers", defaultValue = "1",
            description = "Observers (with datacenters), each in a site of its own after the voters' datacenters. "
                    + "Default: ${DEFAULT-VALUE}.")
    int observers;

    @Option(names = "--wan-ms", defaultValue = "25",
            description = "One-way delay between datacenters, through the harness's TCP proxies (a round trip "
                    + "costs twice it). Default: ${DEFAULT-VALUE}.")
    long wanMillis;

    /**
     * The topology of {@code layout} (voters per datacenter, e.g. {@code 2+2+1}) with these links.
     *
     * @throws IllegalArgumentException naming what is wrong with the layout
     */
    Topology topology(String layout) {
        return Topology.parse(layout, observers, Duration.ofMillis(wanMillis), true);
    }
}
