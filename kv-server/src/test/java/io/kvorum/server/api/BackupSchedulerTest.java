package io.kvorum.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.proto.snapshot.SnapshotFile;
import io.kvorum.proto.v1.CreateRequest;
import io.kvorum.server.testing.InJvmCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Scheduled backups: only the leader writes, each file verifies, and only the newest are kept. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BackupSchedulerTest {
    @TempDir
    Path dir;

    @Test
    void theLeaderWritesVerifiedBackupsAndPrunesOldOnes() throws Exception {
        Path backups = dir.resolve("backups");
        try (InJvmCluster c = new InJvmCluster(dir.resolve("c"), 3, "sched")) {
            c.startAll();
            long leader = c.awaitLeader();
            Files.createDirectories(backups);
            Files.writeString(backups.resolve("notes.txt"), "not a backup: never pruned");
            try (BackupScheduler onFollower = new BackupScheduler(c.node(c.other(leader)).node(), backups,
                    Duration.ofHours(1), 2);
                 BackupScheduler onLeader = new BackupScheduler(c.node(leader).node(), backups, Duration.ofHours(1),
                         2)) {
                assertNull(onFollower.backupIfLeader());
                for (int i = 0; i < 4; i++) {
                    c.kv(leader).create(CreateRequest.newBuilder().setPath("/b" + i).build());
                    Path written = onLeader.backupIfLeader();
                    assertNotNull(written);
                    assertEquals(i + 1, SnapshotFile.verify(written).header().getRevision());
                }
            }
            List<String> names;
            try (Stream<Path> s = Files.list(backups)) {
                names = s.map(p -> p.getFileName().toString()).sorted().toList();
            }
            assertEquals(3, names.size(), names.toString());
            assertTrue(names.contains("notes.txt"));
            for (String n : names) {
                if (n.endsWith(".snap")) {
                    assertTrue(SnapshotFile.verify(backups.resolve(n)).header().getRevision() >= 3, n);
                }
            }
        }
    }
}
