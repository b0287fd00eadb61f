package io.kvorum.jepsen.cli;

import picocli.CommandLine.Option;

/** The servers' heartbeat and election timeouts, as commands that start a cluster take them (a picocli mixin). */
final class ServerTimeouts {
    @Option(names = "--heartbeat-ms", defaultValue = "100",
            description = "Servers' --heartbeat-ms (the server's default: ${DEFAULT-VALUE}).")
    long heartbeatMillis;

    @Option(names = "--election-ms", defaultValue = "1000",
            description = "Servers' --election-ms (the server's default: ${DEFAULT-VALUE}).")
    long electionMillis;

    /** Whether 0 < heartbeat < election. */
    boolean valid() {
        return heartbeatMillis > 0 && electionMillis > heartbeatMillis;
    }
}
