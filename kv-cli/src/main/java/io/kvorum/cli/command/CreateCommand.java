package io.kvorum.cli.command;

import com.google.gson.JsonObject;
import io.kvorum.cli.Cli;
import io.kvorum.cli.DurationConverter;
import io.kvorum.cli.ExitCodes;
import io.kvorum.cli.UsageError;
import io.kvorum.cli.output.Json;
import io.kvorum.client.CreateMode;
import io.kvorum.client.CreateResult;
import io.kvorum.client.KvorumClient;
import io.kvorum.client.RequestOptions;
import io.kvorum.client.Session;
import io.kvorum.client.SessionState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kvorum create PATH [DATA]}: creates a node and prints its path (with the suffix of a
 * sequential node). An ephemeral node lives only as long as its session, so with
 * {@code --ephemeral} the command keeps the session open until Ctrl-C or SIGTERM, then closes
 * it, which deletes the node.
 */
@Command(name = "create", description = {"Creates a node and prints its path.",
        "With --ephemeral the node lives as long as this command: it prints the path, holds the session open "
                + "until Ctrl-C or SIGTERM, then closes the session, which deletes the node."},
        footer = {"%nExamples:", "  kvorum create /config/db 'host=10.0.0.5'",
                "  kvorum create /queue/job- --sequential --data-file job.json",
                "  echo hi | kvorum create /greeting -",
                "  kvorum create /members/me --ephemeral     # holds until Ctrl-C"})
public final class CreateCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "PATH", description = "The node's absolute path.")
    String path;

    @Parameters(index = "1", arity = "0..1", paramLabel = "DATA",
            description = "The node's data as text; '-' reads standard input. Default: empty.")
    String data;

    @Option(names = "--data-file", paramLabel = "FILE", description = "Read the data from FILE (bytes as they are).")
    Path dataFile;

    @Option(names = {"-e", "--ephemeral"}, description = "Delete the node when this command's session ends "
            + "(the command holds it open until interrupted).")
    boolean ephemeral;

    @Option(names = {"-s", "--sequential"}, description = "Append a unique, increasing 10-digit suffix to the name.")
    boolean sequential;

    @Option(names = {"-c", "--container"},
            description = "Delete the node once it had children and the last is deleted.")
    boolean container;

    @Option(names = "--ttl", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Delete the node when it has gone this long unmodified and without children.")
    Duration ttl;

    @Option(names = {"-p", "--parents"}, description = "Create missing ancestors as empty persistent nodes.")
    boolean parents;

    @Option(names = "--session-ttl", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "10s", description = "With --ephemeral: the session's TTL, how long the node outlives "
            + "a crashed command. Default: ${DEFAULT-VALUE}.")
    Duration sessionTtl;

    CreateCommand(Cli cli) {
        super(cli);
    }

    @Override
    protected void validate() {
        if (container && (ephemeral || sequential || ttl != null)) {
            throw new UsageError("--container cannot be combined with --ephemeral, --sequential or --ttl");
        }
        if (ephemeral && ttl != null) {
            throw new UsageError("--ttl applies to persistent nodes; an ephemeral node lives as long as its session");
        }
    }

    @Override
    protected KvorumClient connect() {
        return ephemeral ? cli.connect(sessionTtl) : cli.connect();
    }

    CreateMode mode() {
        if (ephemeral) {
            return sequential ? CreateMode.EPHEMERAL_SEQUENTIAL : CreateMode.EPHEMERAL;
        }
        if (container) {
            return CreateMode.CONTAINER;
        }
        if (ttl != null) {
            return sequential ? CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL : CreateMode.PERSISTENT_WITH_TTL;
        }
        return sequential ? CreateMode.PERSISTENT_SEQUENTIAL : CreateMode.PERSISTENT;
    }

    @Override
    protected int run(KvorumClient client) throws Exception {
        byte[] bytes = DataInput.read(cli, data, dataFile, false);
        if (parents) {
            int slash = path.lastIndexOf('/');
            if (slash > 0) {
                client.async().ensurePath(path.substring(0, slash), cli.writeOptions()).join();
            }
        }
        RequestOptions options = cli.writeOptions();
        if (ttl != null) {
            options = options.withTtl(ttl);
        }
        Session session = ephemeral ? client.session() : null;
        CreateResult r = client.create(path, bytes, mode(), options);
        if (cli.json()) {
            JsonObject o = new JsonObject();
            o.addProperty("path", r.path());
            o.add("stat", Json.stat(r.stat()));
            o.addProperty("revision", r.revision());
            if (session != null) {
                o.addProperty("sessionId", session.id());
            }
            cli.printJson(o);
        } else {
            cli.println(r.path());
        }
        return session == null ? ExitCodes.OK : holdUntilStopped(session, r.path());
    }

    /** Keeps the session (and so the node) alive until interrupted; closing the client then ends it. */
    private int holdUntilStopped(Session session, String created) throws InterruptedException {
        CompletableFuture<SessionState> ended = new CompletableFuture<>();
        session.addListener((s, state) -> {
            if (state.isTerminal()) {
                ended.complete(state);
            }
        });
        cli.note("holding session 0x" + Long.toHexString(session.id()) + " open: " + created
                + " exists until Ctrl-C (or SIGTERM)");
        cli.stop().awaitStopOr(ended);
        if (ended.isDone() && !cli.stop().requested()) {
            cli.note("Error: the session ended (" + ended.join().name().toLowerCase(java.util.Locale.ROOT)
                    + ") and the cluster deleted " + created);
            return ExitCodes.UNAVAILABLE;
        }
        return ExitCodes.OK;
    }
}
