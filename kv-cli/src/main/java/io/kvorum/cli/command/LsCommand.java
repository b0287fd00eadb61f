package io.kvorum.cli.command;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.kvorum.cli.Cli;
import io.kvorum.cli.ExitCodes;
import io.kvorum.cli.output.Json;
import io.kvorum.cli.output.StatText;
import io.kvorum.cli.output.Table;
import io.kvorum.client.ChildrenPage;
import io.kvorum.client.KvorumClient;
import io.kvorum.client.RequestOptions;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kvorum ls PATH}: a node's children, sorted, fetched a page at a time; {@code -R} walks
 * the whole subtree depth-first. Pages and subtrees are read one after another, so a listing of
 * a tree that changes meanwhile is not one snapshot.
 */
@Command(name = "ls", description = {"Lists a node's children, sorted by name (full paths with -R).",
        "JSON: {path, children: [{name, path, stat?}]}; with -R, children holds every node under PATH, depth-first."})
public final class LsCommand extends ClientCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "PATH", defaultValue = "/",
            description = "The node whose children to list. Default: /.")
    String path;

    @Option(names = {"-s", "--stat"}, description = "Also show each child's version, data length, children and mode.")
    boolean stat;

    @Option(names = {"-R", "--recursive"}, description = "List the whole subtree, depth-first.")
    boolean recursive;

    @Option(names = "--page-size", paramLabel = "N", defaultValue = "1000",
            description = "Children fetched per request (1-10000). Default: ${DEFAULT-VALUE}.")
    int pageSize;

    private record Entry(String name, String path, ChildrenPage.Child child) {
    }

    LsCommand(Cli cli) {
        super(cli);
    }

    @Override
    protected void validate() {
        if (pageSize < 1 || pageSize > 10_000) {
            throw new io.kvorum.cli.UsageError("--page-size must be between 1 and 10000, not " + pageSize);
        }
    }

    @Override
    protected int run(KvorumClient client) {
        List<Entry> entries = new ArrayList<>();
        collect(client, path, cli.readOptions(), entries);
        if (cli.json()) {
            JsonArray children = new JsonArray();
            for (Entry e : entries) {
                JsonObject c = new JsonObject();
                c.addProperty("name", e.name());
                c.addProperty("path", e.path());
                if (stat) {
                    c.add("stat", Json.stat(e.child().stat()));
                }
                children.add(c);
            }
            JsonObject o = new JsonObject();
            o.addProperty("path", path);
            o.add("children", children);
            cli.printJson(o);
        } else if (stat) {
            Table t = new Table(recursive ? "PATH" : "NAME", "VERSION", "BYTES", "CHILDREN", "MODE", "MOD_REVISION");
            for (Entry e : entries) {
                var s = e.child().stat();
                t.row(recursive ? e.path() : e.name(), s.version(), s.dataLength(), s.numChildren(), StatText.mode(s),
                        s.modRevision());
            }
            t.lines().forEach(cli::println);
        } else {
            for (Entry e : entries) {
                cli.println(recursive ? e.path() : e.name());
            }
        }
        return ExitCodes.OK;
    }

    private void collect(KvorumClient client, String parent, RequestOptions options, List<Entry> out) {
        // The stat tells which children are leaves, so -R asks it and skips listing them.
        for (ChildrenPage.Child c : Children.all(client, parent, pageSize, stat || recursive, options)) {
            String p = Children.join(parent, c.name());
            out.add(new Entry(c.name(), p, c));
            if (recursive && c.stat().numChildren() > 0) {
                collect(client, p, options, out);
            }
        }
    }
}
