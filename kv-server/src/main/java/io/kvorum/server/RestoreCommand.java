package io.kvorum.server;

import io.kvorum.proto.snapshot.SnapshotFile;
import io.kvorum.proto.snapshot.SnapshotFileException;
import io.kvorum.proto.v1.SnapshotHeader;
import io.kvorum.server.raft.ConfState;
import io.kvorum.server.state.SnapshotContent;
import io.kvorum.server.storage.RestoredStore;
import io.kvorum.server.storage.StorageException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kvorum-server restore FILE}: builds the data directory of one member of a new cluster
 * from a snapshot file. Run it once per member with the same file, {@code --cluster-id} and
 * {@code --initial-cluster}, then start each member with those flags. The new cluster starts
 * at the snapshot's revision and raft index, so watches, sequential suffixes and sessions
 * continue; its membership is the one given here, and its cluster id must differ from the old
 * one so the two can never be mixed up.
 *
 * <p>Exit codes: 0 restored; 2 bad flags; 3 refused (data dir not empty, file corrupt or
 * truncated, same cluster id as the snapshot's); 1 anything else.
 */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = "Builds a new cluster member's data directory from a snapshot file.")
final class RestoreCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "The snapshot file (from 'kvorum snapshot save').")
    Path file;

    @Option(names = "--data-dir", required = true, description = "The member's data directory; must not exist "
            + "or be empty.")
    Path dataDir;

    @Option(names = "--id", required = true, description = "The member's id; listed in --initial-cluster.")
    long id;

    @Option(names = "--cluster-id", required = true, description = "The new cluster's id: the same for every "
            + "member, different from the snapshot's.")
    String clusterId;

    @Option(names = "--initial-cluster", required = true, description = "The new cluster's members as "
            + "id=host:peerPort,... (the same for every member).")
    String initialCluster;

    private final PrintStream out;
    private final PrintStream err;

    RestoreCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        Map<Long, String> members;
        try {
            members = ServerOptions.parseCluster(initialCluster);
        } catch (IllegalArgumentException e) {
            err.println("kvorum-server restore: " + e.getMessage());
            return 2;
        }
        if (!members.containsKey(id)) {
            err.println("kvorum-server restore: --initial-cluster " + initialCluster + " does not list --id " + id);
            return 2;
        }
        try {
            if (!isEmptyOrMissing(dataDir)) {
                err.println("kvorum-server restore: refusing to restore into " + dataDir.toAbsolutePath()
                        + ": it is not empty (restore builds a fresh data directory; move the old one away first)");
                return 3;
            }
            SnapshotFile.Summary summary = SnapshotFile.verify(file);
            SnapshotHeader h = summary.header();
            if (h.getClusterId().equals(clusterId)) {
                err.println("kvorum-server restore: the snapshot is of cluster '" + clusterId + "'; give the restored "
                        + "cluster a new --cluster-id so its members and the old ones never mix");
                return 3;
            }
            long index = Math.max(1, h.getRaftIndex());
            ConfState conf = new ConfState(Set.copyOf(members.keySet()), Set.of());
            Path db = dataDir.resolve("db");
            long kept = RestoredStore.create(db, clusterId, id, index, conf,
                    sink -> SnapshotFile.read(file, (k, v) -> {
                        if (SnapshotContent.keptOnRestore(k, v)) {
                            sink.put(k, v);
                        }
                    }));
            out.println("restored " + file + " into " + dataDir + ": cluster '" + clusterId + "', member " + id
                    + " of " + members.keySet() + ", revision " + h.getRevision() + ", raft index " + index + ", "
                    + kept + " entries (snapshot of cluster '" + h.getClusterId() + "', sha256 " + summary.sha256() + ")");
            return 0;
        } catch (SnapshotFileException e) {
            err.println("kvorum-server restore: refusing " + file + ": " + e.getMessage());
            return 3;
        } catch (IllegalArgumentException | StorageException e) {
            err.println("kvorum-server restore: " + e.getMessage());
            return 3;
        } catch (IOException e) {
            err.println("kvorum-server restore: cannot read " + file + ": " + e.getMessage());
            return 1;
        }
    }

    private static boolean isEmptyOrMissing(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return true;
        }
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }
}
