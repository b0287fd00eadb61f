package io.kvorum.jepsen.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code kvorum-jepsen}: check recorded histories (and, once the client exists, run tests). */
@Command(name = "kvorum-jepsen", mixinStandardHelpOptions = true, version = "kvorum-jepsen 0.1.0",
        description = "Jepsen-style testing for Kvorum.",
        subcommands = {CheckCommand.class})
public final class KvorumJepsen implements Runnable {

    public static void main(String[] args) {
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
