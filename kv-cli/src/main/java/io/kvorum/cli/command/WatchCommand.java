package io.kvorum.cli.command;

import com.google.gson.JsonObject;
import io.kvorum.cli.Cli;
import io.kvorum.cli.ExitCodes;
import io.kvorum.cli.output.Json;
import io.kvorum.client.KvorumClient;
import io.kvorum.client.KvorumException;
import io.kvorum.client.Watch;
import io.kvorum.client.WatchEvent;
import io.kvorum.client.WatchListener;
import io.kvorum.client.WatchSpec;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kvorum watch PATH}: prints changes as they happen, one line each, until interrupted.
 * Without {@code --from-revision} it first reads the current revision and watches from the
 * next one, so every change made after the "watching" note is printed. The client resumes the
 * watch on another node when one fails, without gaps or repeats.
 */
@Command(name = "watch", description = {"Prints changes to a node (or, with -r, its subtree), one line each, until "
        + "Ctrl-C.",
        "Text: REVISION TYPE PATH [DATA] (DATA for created/changed; newlines and backslashes escaped, "
                + "'base64:...' when not UTF-8).",
        "JSON lines: {revision, type, path, data, dataBase64, stat}; type is created, changed, deleted or "
                + "children_changed; stat is null for deleted."})
public final class WatchCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "PATH", description = "The node to watch.")
    String path;

    @Option(names = {"-r", "-R", "--recursive"}, description = "Watch every node under PATH, not only PATH "
            + "and its set of children.")
    boolean recursive;

    @Option(names = "--from-revision", paramLabel = "REV", defaultValue = "0",
            description = "Start with the changes of revision REV (inclusive), even past ones still kept. "
                    + "Default: from now.")
    long fromRevision;

    @Option(names = "--count", paramLabel = "N", defaultValue = "0",
            description = "Exit after N events (0, the default: run until interrupted).")
    long count;

    WatchCommand(Cli cli) {
        super(cli);
    }

    @Override
    protected void validate() {
        if (fromRevision < 0 || count < 0) {
            throw new io.kvorum.cli.UsageError("--from-revision and --count must not be negative");
        }
    }

    @Override
    protected KvorumClient connect() {
        return cli.connectUntilStopped();
    }

    @Override
    protected int run(KvorumClient client) throws Exception {
        long start = fromRevision;
        if (start == 0) {
            // Fix "now" as a revision, so nothing between this note and the watch's creation is missed.
            client.exists(path, cli.readOptions());
            start = client.lastSeenRevision() + 1;
        }
        CompletableFuture<Void> ended = new CompletableFuture<>();
        AtomicLong printed = new AtomicLong();
        WatchSpec spec = new WatchSpec(path, recursive, start);
        Watch w = client.watch(spec, new WatchListener() {
            @Override
            public void onEvent(WatchEvent event) {
                if (ended.isDone()) {
                    return;
                }
                print(event);
                if (count > 0 && printed.incrementAndGet() >= count) {
                    ended.complete(null);
                }
            }

            @Override
            public void onError(KvorumException error) {
                ended.completeExceptionally(error);
            }
        });
        try {
            cli.note("watching " + path + (recursive ? " and its subtree" : "") + " from revision " + start
                    + " (Ctrl-C to stop)");
            cli.stop().awaitStopOr(ended);
        } finally {
            w.cancel();
        }
        return ExitCodes.OK;
    }

    private void print(WatchEvent e) {
        String type = e.type().name().toLowerCase(java.util.Locale.ROOT);
        if (cli.json()) {
            JsonObject o = new JsonObject();
            o.addProperty("revision", e.revision());
            o.addProperty("type", type);
            o.addProperty("path", e.path());
            Json.data(o, e.data());
            o.add("stat", e.stat() == null ? null : Json.stat(e.stat()));
            cli.printJson(o);
            return;
        }
        StringBuilder line = new StringBuilder().append(e.revision()).append(' ').append(e.type().name()).append(' ')
                .append(e.path());
        if (e.type() == WatchEvent.Type.CREATED || e.type() == WatchEvent.Type.CHANGED) {
            line.append(' ').append(TextData.escape(e.data()));
        }
        cli.println(line.toString());
    }
}
