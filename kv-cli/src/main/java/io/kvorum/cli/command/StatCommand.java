package io.kvorum.cli.command;

import com.google.gson.JsonObject;
import io.kvorum.cli.Cli;
import io.kvorum.cli.ExitCodes;
import io.kvorum.cli.output.Json;
import io.kvorum.cli.output.StatText;
import io.kvorum.client.KvorumClient;
import io.kvorum.client.NoNodeException;
import io.kvorum.client.Stat;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code kvorum stat PATH}: a node's metadata, without its data. Exit 3 when it does not exist. */
@Command(name = "stat", description = {"Prints a node's stat (metadata) without its data; exit 3 if it does not exist.",
        "JSON: {path, stat}."})
public final class StatCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "PATH", description = "The node's absolute path.")
    String path;

    StatCommand(Cli cli) {
        super(cli);
    }

    @Override
    protected int run(KvorumClient client) {
        Optional<Stat> stat = client.exists(path, cli.readOptions());
        if (stat.isEmpty()) {
            throw new NoNodeException("stat " + path + " failed: node " + path + " does not exist", null, "NO_NODE",
                    path, -1);
        }
        if (cli.json()) {
            JsonObject o = new JsonObject();
            o.addProperty("path", path);
            o.add("stat", Json.stat(stat.get()));
            cli.printJson(o);
        } else {
            StatText.lines(stat.get()).forEach(cli::println);
        }
        return ExitCodes.OK;
    }
}
