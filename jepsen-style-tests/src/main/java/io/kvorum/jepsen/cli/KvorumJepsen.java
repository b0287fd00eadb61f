package io.kvorum.jepsen.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code kvorum-jepsen}: run tests against real servers, and check recorded histories. */
@Command(name = "kvorum-jepsen", mixinStandardHelpOptions = true, version = "kvorum-jepsen 0.1.0",
        description = "Jepsen-style testing for Kvorum.",
        subcommands = {RunCommand.class, CheckCommand.class, FailoverCommand.class, CheckClusterCommand.class,
            ElectionsCommand.class, WanCommand.class})
public final class KvorumJepsen implements Runnable {

    public static void main(String[] args) {
        // The servers' logs go to their own files; in this JVM kv-client's INFO lines (session
        // state changes, reconnections) would drown the output under faults.
        if (System.getProperty("KVORUM_LOG_LEVEL") == null && System.getenv("KVORUM_LOG_LEVEL") == null) {
            System.setProperty("KVORUM_LOG_LEVEL", "WARN");
        }
        System.exit(run(args));
    }

    /** The exit code; separate from main so tests can call it. */
    public static int run(String... args) {
        return new CommandLine(new KvorumJepsen()).execute(args);
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.err);
    }
}
