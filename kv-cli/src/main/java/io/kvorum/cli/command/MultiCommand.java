package io.kvorum.cli.command;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.kvorum.cli.Cli;
import io.kvorum.cli.ExitCodes;
import io.kvorum.cli.UsageError;
import io.kvorum.cli.output.Json;
import io.kvorum.client.KvorumClient;
import io.kvorum.client.KvorumException;
import io.kvorum.client.Op;
import io.kvorum.client.OpResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code kvorum multi FILE}: applies the operations in a JSON file atomically, all or none
 * (the format is documented on {@link MultiFile} and in the command's help).
 */
@Command(name = "multi", description = {"Applies the operations in a JSON file atomically: all or none.",
        "FILE is a JSON array; '-' reads standard input. Each element has \"op\" and \"path\":",
        "  {\"op\":\"check\",  \"path\":\"/b\", \"version\":2}",
        "  {\"op\":\"create\", \"path\":\"/a\", \"data\":\"x\", \"mode\":\"persistent\"}",
        "  {\"op\":\"set\",    \"path\":\"/a\", \"data\":\"y\", \"version\":0}",
        "  {\"op\":\"delete\", \"path\":\"/c\", \"version\":-1}",
        "version is optional (absent or -1: any). Data: \"data\" (text) or \"dataBase64\". mode: persistent "
                + "(default), persistent_sequential, container, persistent_with_ttl, "
                + "persistent_sequential_with_ttl; TTL modes need \"ttl\" (\"30s\") or \"ttlMillis\". "
                + "Ephemeral modes are refused.",
        "On failure nothing is applied and the error names the failing operation (counted from 0).",
        "JSON: {results: [{op, path, stat?}], revision}; stat is absent for delete."})
public final class MultiCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "FILE", description = "The JSON file of operations; '-' for stdin.")
    String file;

    MultiCommand(Cli cli) {
        super(cli);
    }

    @Override
    protected int run(KvorumClient client) {
        List<Op> ops = MultiFile.parse(read());
        List<OpResult> results;
        try {
            results = client.multi(ops, cli.writeOptions());
        } catch (KvorumException e) {
            if (e.opIndex() < 0 || e.opIndex() >= ops.size()) {
                throw e;
            }
            Op op = ops.get(e.opIndex());
            cli.err().println("Error: operation " + e.opIndex() + " (" + kind(op) + " " + op.path()
                    + ") failed, nothing was applied: " + e.getMessage());
            cli.err().flush();
            return ExitCodes.of(e);
        }
        JsonArray json = new JsonArray();
        for (int i = 0; i < results.size(); i++) {
            OpResult r = results.get(i);
            Op op = ops.get(i);
            if (cli.json()) {
                JsonObject o = new JsonObject();
                o.addProperty("op", kind(op));
                o.addProperty("path", r instanceof OpResult.Created c ? c.path() : op.path());
                if (r instanceof OpResult.Created c) {
                    o.add("stat", Json.stat(c.stat()));
                } else if (r instanceof OpResult.Checked c) {
                    o.add("stat", Json.stat(c.stat()));
                } else if (r instanceof OpResult.DataSet s) {
                    o.add("stat", Json.stat(s.stat()));
                }
                json.add(o);
            } else {
                cli.println(text(op, r));
            }
        }
        if (cli.json()) {
            JsonObject o = new JsonObject();
            o.add("results", json);
            o.addProperty("revision", client.lastSeenRevision());
            cli.printJson(o);
        }
        return ExitCodes.OK;
    }

    private byte[] read() {
        try {
            return file.equals("-") ? cli.in().readAllBytes() : Files.readAllBytes(Path.of(file));
        } catch (NoSuchFileException e) {
            throw new UsageError("multi file " + file + " does not exist");
        } catch (IOException e) {
            throw new UsageError("cannot read multi file " + file + ": " + e.getMessage(), e);
        }
    }

    private static String kind(Op op) {
        if (op instanceof Op.SetData) {
            return "set";
        }
        return op.getClass().getSimpleName().toLowerCase(Locale.ROOT);
    }

    private static String text(Op op, OpResult r) {
        if (r instanceof OpResult.Created c) {
            return "created " + c.path();
        }
        if (r instanceof OpResult.Checked c) {
            return "checked " + op.path() + " (version " + c.stat().version() + ")";
        }
        if (r instanceof OpResult.DataSet s) {
            return "set " + op.path() + " (version " + s.stat().version() + ")";
        }
        return "deleted " + op.path();
    }
}
