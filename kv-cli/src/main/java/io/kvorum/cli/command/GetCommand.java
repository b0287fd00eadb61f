package io.kvorum.cli.command;

import com.google.gson.JsonObject;
import io.kvorum.cli.Cli;
import io.kvorum.cli.ExitCodes;
import io.kvorum.cli.output.Json;
import io.kvorum.cli.output.StatText;
import io.kvorum.client.KvorumClient;
import io.kvorum.client.NodeData;
import java.io.PrintStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kvorum get PATH}: writes the node's data to stdout exactly as stored (no newline
 * added), so {@code kvorum get /a > file} copies it byte for byte.
 */
@Command(name = "get", description = {"Prints a node's data exactly as stored (no newline added).",
        "With --stat, a newline and the node's stat follow. JSON: {path, data, dataBase64, stat, revision}."})
public final class GetCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "PATH", description = "The node's absolute path.")
    String path;

    @Option(names = {"-s", "--stat"}, description = "Also print the node's stat.")
    boolean stat;

    GetCommand(Cli cli) {
        super(cli);
    }

    @Override
    protected int run(KvorumClient client) {
        NodeData d = client.get(path, cli.readOptions());
        if (cli.json()) {
            JsonObject o = new JsonObject();
            o.addProperty("path", path);
            Json.data(o, d.data());
            o.add("stat", Json.stat(d.stat()));
            o.addProperty("revision", d.revision());
            cli.printJson(o);
            return ExitCodes.OK;
        }
        PrintStream out = cli.out();
        out.write(d.data(), 0, d.data().length);
        if (stat) {
            if (d.data().length > 0 && d.data()[d.data().length - 1] != '\n') {
                out.println();
            }
            StatText.lines(d.stat()).forEach(out::println);
        }
        out.flush();
        return ExitCodes.OK;
    }
}
