package io.kvorum.cli.command;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.kvorum.cli.Cli;
import io.kvorum.cli.ExitCodes;
import io.kvorum.proto.v1.CompactStorageRequest;
import io.kvorum.proto.v1.CompactStorageResponse;
import io.kvorum.proto.v1.MaintenanceGrpc;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;

/**
 * {@code kvorum compact-storage}: asks every endpoint's RocksDB to compact its files, one node
 * after the other, so space freed by deletes returns to the filesystem (and a node over its
 * quota comes back under). Exits 6 if some endpoint did not answer.
 */
@Command(name = "compact-storage", description = {"Compacts each endpoint's database files, one node at a time, "
        + "giving back the space of deleted data; exit 6 if some endpoint did not answer.",
        "JSON: {endpoints: [{endpoint, before, after, error}]} (sizes in bytes)."})
public final class CompactStorageCommand implements Callable<Integer> {
    private final Cli cli;

    CompactStorageCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        JsonArray rows = new JsonArray();
        boolean allAnswered = true;
        for (String endpoint : cli.endpoints()) {
            JsonObject row = new JsonObject();
            row.addProperty("endpoint", endpoint);
            ManagedChannel channel = cli.channel(endpoint);
            try {
                // Compaction reads and rewrites the files: give it minutes, not the call deadline.
                CompactStorageResponse r = MaintenanceGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(Math.max(600, cli.options().timeout().toSeconds()), TimeUnit.SECONDS)
                        .compactStorage(CompactStorageRequest.getDefaultInstance());
                row.addProperty("before", r.getDbSizeBytesBefore());
                row.addProperty("after", r.getDbSizeBytesAfter());
                if (!cli.json()) {
                    cli.println(endpoint + ": " + StatusCommand.bytes(r.getDbSizeBytesBefore()) + " -> "
                            + StatusCommand.bytes(r.getDbSizeBytesAfter()));
                }
            } catch (StatusRuntimeException e) {
                allAnswered = false;
                row.addProperty("error", e.getStatus().getCode() + ": " + e.getStatus().getDescription());
                if (!cli.json()) {
                    cli.println(endpoint + ": " + e.getStatus().getCode() + ": " + e.getStatus().getDescription());
                }
            } finally {
                channel.shutdownNow();
            }
            rows.add(row);
        }
        if (cli.json()) {
            JsonObject o = new JsonObject();
            o.add("endpoints", rows);
            cli.printJson(o);
        }
        return allAnswered ? ExitCodes.OK : ExitCodes.UNAVAILABLE;
    }
}
