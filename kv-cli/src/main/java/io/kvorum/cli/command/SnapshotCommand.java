package io.kvorum.cli.command;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.kvorum.cli.Cli;
import io.kvorum.cli.ExitCodes;
import io.kvorum.cli.UsageError;
import io.kvorum.proto.snapshot.SnapshotFile;
import io.kvorum.proto.snapshot.SnapshotFileException;
import io.kvorum.proto.v1.MaintenanceGrpc;
import io.kvorum.proto.v1.SnapshotChunk;
import io.kvorum.proto.v1.SnapshotHeader;
import io.kvorum.proto.v1.SnapshotMember;
import io.kvorum.proto.v1.SnapshotRequest;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kvorum snapshot save FILE} and {@code kvorum snapshot status FILE}: online backups.
 * {@code save} streams a consistent snapshot from the first endpoint that serves one into
 * {@code FILE.part}, verifies it, and only then renames it to {@code FILE}; {@code status}
 * prints a file's header and verifies its checksum.
 */
@Command(name = "snapshot", description = {"Takes and checks backups (snapshot files).",
        "Restore one into a new cluster with 'kvorum-server restore FILE --data-dir D --id N --cluster-id NEW "
                + "--initial-cluster ...' on each new member.",
        "JSON (save and status): {file, clusterId, revision, raftIndex, raftTerm, members: [{id, peerAddress, "
                + "learner}], sourceMemberId, created, serverVersion, keys, bytes, sha256}."},
        subcommands = CommandLine.HelpCommand.class)
public final class SnapshotCommand implements Runnable {
    private final Cli cli;

    @Spec
    CommandSpec spec;

    SnapshotCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing a subcommand: save or status");
    }

    @Command(name = "save", description = "Streams a snapshot of one node's state at one revision into FILE "
            + "(refused if FILE exists); the cluster keeps serving meanwhile.")
    int save(@Parameters(paramLabel = "FILE", description = "Where to write the snapshot.") Path file)
            throws IOException {
        if (Files.exists(file)) {
            throw new UsageError(file + " already exists; choose a new file name (a backup is never overwritten)");
        }
        Path part = file.resolveSibling(file.getFileName() + ".part");
        List<String> failures = new ArrayList<>();
        for (String endpoint : cli.endpoints()) {
            try {
                download(endpoint, part);
            } catch (StatusRuntimeException e) {
                Files.deleteIfExists(part);
                failures.add(endpoint + ": " + e.getStatus().getCode() + " " + e.getStatus().getDescription());
                continue;
            }
            SnapshotFile.Summary summary;
            try {
                summary = SnapshotFile.verify(part);
            } catch (SnapshotFileException e) {
                Files.deleteIfExists(part);
                cli.note("kvorum: the snapshot from " + endpoint + " does not verify: " + e.getMessage());
                return ExitCodes.ERROR;
            }
            Files.move(part, file, StandardCopyOption.ATOMIC_MOVE);
            print(file, summary);
            return ExitCodes.OK;
        }
        cli.note("kvorum: no endpoint streamed a snapshot: " + String.join("; ", failures));
        return ExitCodes.UNAVAILABLE;
    }

    @Command(name = "status", description = "Prints a snapshot file's header and verifies its checksum; exit 1 "
            + "if it is corrupt or truncated.")
    int status(@Parameters(paramLabel = "FILE", description = "The snapshot file.") Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new UsageError("no snapshot file at " + file);
        }
        try {
            print(file, SnapshotFile.verify(file));
            return ExitCodes.OK;
        } catch (SnapshotFileException e) {
            cli.note("kvorum: " + e.getMessage());
            return ExitCodes.ERROR;
        }
    }

    /** Streams the snapshot of {@code endpoint} into {@code part}; stopping (Ctrl-C) cancels the call. */
    private void download(String endpoint, Path part) throws IOException {
        ManagedChannel channel = cli.channel(endpoint);
        boolean progress = cli.console() && System.console() != null;
        try (OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            Iterator<SnapshotChunk> chunks = MaintenanceGrpc.newBlockingStub(channel)
                    .snapshot(SnapshotRequest.getDefaultInstance());
            long bytes = 0;
            long lastShown = 0;
            while (chunks.hasNext()) {
                if (cli.stop().requested()) {
                    throw new IOException("stopped before the snapshot was complete");
                }
                SnapshotChunk c = chunks.next();
                c.getData().writeTo(out);
                bytes += c.getData().size();
                if (progress && bytes - lastShown >= (1 << 20)) {
                    cli.err().print("\rreceived " + StatusCommand.bytes(bytes) + " from " + endpoint + "   ");
                    cli.err().flush();
                    lastShown = bytes;
                }
            }
            if (progress) {
                cli.err().println("\rreceived " + StatusCommand.bytes(bytes) + " from " + endpoint + "   ");
            }
        } finally {
            // Cancels the call too when it has not finished.
            channel.shutdownNow();
            try {
                channel.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void print(Path file, SnapshotFile.Summary s) {
        SnapshotHeader h = s.header();
        if (cli.json()) {
            JsonObject o = new JsonObject();
            o.addProperty("file", file.toString());
            o.addProperty("clusterId", h.getClusterId());
            o.addProperty("revision", h.getRevision());
            o.addProperty("raftIndex", h.getRaftIndex());
            o.addProperty("raftTerm", h.getRaftTerm());
            JsonArray members = new JsonArray();
            for (SnapshotMember m : h.getMembersList()) {
                JsonObject mo = new JsonObject();
                mo.addProperty("id", m.getId());
                mo.addProperty("peerAddress", m.getPeerAddress());
                mo.addProperty("learner", m.getIsLearner());
                members.add(mo);
            }
            o.add("members", members);
            o.addProperty("sourceMemberId", h.getSourceMemberId());
            o.addProperty("created", Instant.ofEpochMilli(h.getCreatedUnixMillis()).toString());
            o.addProperty("serverVersion", h.getServerVersion());
            o.addProperty("keys", s.keyCount());
            o.addProperty("bytes", s.bytes());
            o.addProperty("sha256", s.sha256());
            cli.printJson(o);
            return;
        }
        StringBuilder members = new StringBuilder();
        for (SnapshotMember m : h.getMembersList()) {
            members.append(members.length() == 0 ? "" : ", ").append(m.getId())
                    .append(m.getPeerAddress().isEmpty() ? "" : "=" + m.getPeerAddress())
                    .append(m.getIsLearner() ? " (learner)" : "");
        }
        cli.println("file:           " + file);
        cli.println("cluster:        " + h.getClusterId());
        cli.println("revision:       " + h.getRevision());
        cli.println("raft index:     " + h.getRaftIndex() + " (term " + h.getRaftTerm() + ")");
        cli.println("members:        " + members);
        cli.println("taken from:     node " + h.getSourceMemberId() + " at "
                + Instant.ofEpochMilli(h.getCreatedUnixMillis()) + " (server " + h.getServerVersion() + ")");
        cli.println("format:         " + h.getFormatVersion());
        cli.println("keys:           " + s.keyCount());
        cli.println("size:           " + StatusCommand.bytes(s.bytes()) + " (" + s.bytes() + " bytes)");
        cli.println("sha256:         " + s.sha256() + " (verified)");
    }
}
