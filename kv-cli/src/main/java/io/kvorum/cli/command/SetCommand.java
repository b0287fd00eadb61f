package io.kvorum.cli.command;

import com.google.gson.JsonObject;
import io.kvorum.cli.Cli;
import io.kvorum.cli.ExitCodes;
import io.kvorum.cli.output.Json;
import io.kvorum.client.KvorumClient;
import io.kvorum.client.Stat;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kvorum set PATH DATA}: replaces a node's data, optionally only at a given version. */
@Command(name = "set", description = {"Replaces a node's data; prints its new version.",
        "With --version, only if the node is at that version (compare-and-set; exit 5 otherwise).",
        "JSON: {path, stat}."})
public final class SetCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "PATH", description = "The node's absolute path.")
    String path;

    @Parameters(index = "1", arity = "0..1", paramLabel = "DATA",
            description = "The new data as text; '-' reads standard input.")
    String data;

    @Option(names = "--data-file", paramLabel = "FILE", description = "Read the data from FILE (bytes as they are).")
    Path dataFile;

    @Option(names = "--version", paramLabel = "N", defaultValue = "-1",
            description = "Only if the node's version is N (-1: any, the default).")
    long version;

    SetCommand(Cli cli) {
        super(cli);
    }

    @Override
    protected int run(KvorumClient client) {
        byte[] bytes = DataInput.read(cli, data, dataFile, true);
        Stat s = client.set(path, bytes, version, cli.writeOptions());
        if (cli.json()) {
            JsonObject o = new JsonObject();
            o.addProperty("path", path);
            o.add("stat", Json.stat(s));
            cli.printJson(o);
        } else {
            cli.println(path + " version " + s.version());
        }
        return ExitCodes.OK;
    }
}
