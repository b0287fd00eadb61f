package io.kvorum.cli.command;

import com.google.gson.JsonObject;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.kvorum.cli.Cli;
import io.kvorum.cli.ExitCodes;
import io.kvorum.proto.v1.CompactRequest;
import io.kvorum.proto.v1.CompactResponse;
import io.kvorum.proto.v1.MaintenanceGrpc;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code kvorum compact REVISION}: trims the watch history of every member (one replicated
 * command) so that watches may start only from REVISION on, freeing the space older events
 * took. Tries the endpoints in turn until one answers.
 */
@Command(name = "compact", description = {"Trims the watch history before REVISION on every member; watches may "
        + "then start or resume only from REVISION on. Exit 2 for a revision past the current one.",
        "JSON: {compactedRevision, revision}."})
public final class CompactCommand implements Callable<Integer> {
    private final Cli cli;

    @Parameters(paramLabel = "REVISION", description = "The oldest revision to keep (at most the current one).")
    long revision;

    CompactCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        List<String> failures = new ArrayList<>();
        for (String endpoint : cli.endpoints()) {
            ManagedChannel channel = cli.channel(endpoint);
            try {
                CompactResponse r = MaintenanceGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(cli.options().timeout().toMillis(), TimeUnit.MILLISECONDS)
                        .compact(CompactRequest.newBuilder().setRevision(revision).build());
                if (cli.json()) {
                    JsonObject o = new JsonObject();
                    o.addProperty("compactedRevision", r.getCompactedRevision());
                    o.addProperty("revision", r.getHeader().getRevision());
                    cli.printJson(o);
                } else {
                    cli.println("watch history compacted: watches may start from revision " + r.getCompactedRevision()
                            + " (current revision " + r.getHeader().getRevision() + ")");
                }
                return ExitCodes.OK;
            } catch (StatusRuntimeException e) {
                switch (e.getStatus().getCode()) {
                    case INVALID_ARGUMENT -> {
                        cli.note("kvorum: " + e.getStatus().getDescription());
                        return ExitCodes.USAGE;
                    }
                    case UNAVAILABLE, DEADLINE_EXCEEDED ->
                            failures.add(endpoint + ": " + e.getStatus().getDescription());
                    default -> {
                        cli.note("kvorum: compact failed: " + e.getStatus().getCode() + " "
                                + e.getStatus().getDescription());
                        return ExitCodes.ERROR;
                    }
                }
            } finally {
                channel.shutdownNow();
            }
        }
        cli.note("kvorum: no endpoint compacted the history: " + String.join("; ", failures));
        return ExitCodes.UNAVAILABLE;
    }
}
