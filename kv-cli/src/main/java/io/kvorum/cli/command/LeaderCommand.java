package io.kvorum.cli.command;

import com.google.gson.JsonObject;
import io.kvorum.cli.Cli;
import io.kvorum.cli.ExitCodes;
import io.kvorum.client.KvorumClient;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kvorum leader transfer [--to ID]}: hands leadership to another voter (before maintenance, say). */
@Command(name = "leader", description = "Leadership operations.", subcommands = CommandLine.HelpCommand.class)
public final class LeaderCommand implements Runnable {
    private final Cli cli;

    @Spec
    CommandSpec spec;

    LeaderCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing a subcommand: transfer");
    }

    @Command(name = "transfer", description = {"Hands leadership to another voter and prints the new leader's id.",
            "JSON: {leaderId}."})
    int transfer(@Option(names = "--to", paramLabel = "ID", defaultValue = "0",
            description = "The voter to hand it to. Default: the most up-to-date other voter.") long to) {
        try (KvorumClient client = cli.connect()) {
            long leader = client.cluster().transferLeadership(to);
            if (cli.json()) {
                JsonObject o = new JsonObject();
                o.addProperty("leaderId", leader);
                cli.printJson(o);
            } else {
                cli.println("leader is now node " + leader);
            }
        }
        return ExitCodes.OK;
    }
}
