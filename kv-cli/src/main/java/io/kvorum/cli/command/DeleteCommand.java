package io.kvorum.cli.command;

import com.google.gson.JsonObject;
import io.kvorum.cli.Cli;
import io.kvorum.cli.ExitCodes;
import io.kvorum.cli.UsageError;
import io.kvorum.client.ChildrenPage;
import io.kvorum.client.KvorumClient;
import io.kvorum.client.NoNodeException;
import io.kvorum.client.NotEmptyException;
import io.kvorum.client.RequestOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kvorum delete PATH}: deletes a node; {@code --recursive} deletes its subtree first,
 * children before parents. A recursive delete is many writes, not one atomic step: a reader
 * may see the subtree half gone, and nodes created under it meanwhile are deleted too (or,
 * when they keep coming, the delete fails with "not empty").
 */
@Command(name = "delete", aliases = "rm", description = {"Deletes a node (exit 5 if it has children, unless -r).",
        "With --version, only if the node is at that version. JSON: {path, deleted, revision}."})
public final class DeleteCommand extends ClientCommand {
    /** Passes over a subtree that keeps getting new children before giving up with "not empty". */
    private static final int PASSES = 3;

    @Parameters(index = "0", paramLabel = "PATH", description = "The node's absolute path.")
    String path;

    @Option(names = "--version", paramLabel = "N", defaultValue = "-1",
            description = "Only if the node's version is N (-1: any, the default). Applies to PATH itself.")
    long version;

    @Option(names = {"-r", "-R", "--recursive"}, description = "Delete every node under PATH first (not atomic).")
    boolean recursive;

    private long deleted;

    DeleteCommand(Cli cli) {
        super(cli);
    }

    @Override
    protected void validate() {
        if (path.equals("/")) {
            throw new UsageError("the root node / cannot be deleted");
        }
    }

    @Override
    protected int run(KvorumClient client) {
        RequestOptions options = cli.writeOptions();
        long revision;
        if (!recursive) {
            revision = client.delete(path, version, options);
            deleted = 1;
        } else {
            revision = deleteRecursively(client, options);
        }
        if (cli.json()) {
            JsonObject o = new JsonObject();
            o.addProperty("path", path);
            o.addProperty("deleted", deleted);
            o.addProperty("revision", revision);
            cli.printJson(o);
        } else {
            cli.println(deleted == 1 ? "deleted " + path : "deleted " + path + " and " + (deleted - 1)
                    + " node" + (deleted == 2 ? "" : "s") + " under it");
        }
        return ExitCodes.OK;
    }

    private long deleteRecursively(KvorumClient client, RequestOptions options) {
        if (version >= 0) {
            // Check PATH's version before touching its subtree; the final delete checks it again.
            long v = client.exists(path, cli.readOptions()).orElseThrow(() -> new NoNodeException("delete " + path
                    + " failed: node " + path + " does not exist", null, "NO_NODE", path, -1)).version();
            if (v != version) {
                throw new io.kvorum.client.BadVersionException("delete " + path + " failed: node " + path
                        + " is at version " + v + ", not " + version, null, "BAD_VERSION", path, -1);
            }
        }
        for (int pass = 1; ; pass++) {
            deleteChildren(client, path, options);
            try {
                long revision = client.delete(path, version, options);
                deleted++;
                return revision;
            } catch (NotEmptyException e) {
                if (pass == PASSES) {
                    throw e;
                }
            }
        }
    }

    private void deleteChildren(KvorumClient client, String parent, RequestOptions options) {
        for (ChildrenPage.Child c : Children.all(client, parent, 1000, true, cli.readOptions())) {
            String p = Children.join(parent, c.name());
            if (c.stat().numChildren() > 0) {
                deleteChildren(client, p, options);
            }
            try {
                client.delete(p, -1, options);
                deleted++;
            } catch (NoNodeException e) {
                // Someone else deleted it (or it was ephemeral or a container): it is gone either way.
            } catch (NotEmptyException e) {
                deleteChildren(client, p, options);
                client.delete(p, -1, options);
                deleted++;
            }
        }
    }
}
