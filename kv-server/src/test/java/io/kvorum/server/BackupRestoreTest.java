package io.kvorum.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.kvorum.proto.snapshot.SnapshotFile;
import io.kvorum.proto.v1.CreateMode;
import io.kvorum.proto.v1.CreateRequest;
import io.kvorum.proto.v1.CreateResponse;
import io.kvorum.proto.v1.SetRequest;
import io.kvorum.proto.v1.SnapshotChunk;
import io.kvorum.proto.v1.SnapshotRequest;
import io.kvorum.server.testing.InJvmCluster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Online backup and restore across two real in-JVM clusters: a snapshot streamed while a client
 * writes, restored into a new 3-member cluster that holds exactly the snapshot's nodes, continues
 * its revisions and sequential suffixes, and serves writes; bad files and used data dirs refused.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class BackupRestoreTest {
    @TempDir
    Path dir;

    @Test
    void snapshotUnderLoadRestoresIntoANewClusterAtItsRevision() throws Exception {
        Path file = dir.resolve("backup.snap");
        String lastSequential;
        try (InJvmCluster alpha = new InJvmCluster(dir.resolve("alpha"), 3, "alpha")) {
            alpha.startAll();
            long leader = alpha.awaitLeader();
            for (int i = 0; i < 3; i++) {
                alpha.kv(leader).create(CreateRequest.newBuilder().setPath("/seq-").setMode(
                        CreateMode.PERSISTENT_SEQUENTIAL).build());
            }
            lastSequential = alpha.kv(leader).create(CreateRequest.newBuilder().setPath("/seq-")
                    .setMode(CreateMode.PERSISTENT_SEQUENTIAL).build()).getPath();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong acknowledged = new AtomicLong();
            Thread writer = new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    try {
                        String path = "/load-" + (i % 50);
                        if (i < 50) {
                            alpha.kv(leader).create(CreateRequest.newBuilder().setPath(path)
                                    .setData(ByteString.copyFromUtf8("v" + i)).build());
                        } else {
                            alpha.kv(leader).set(SetRequest.newBuilder().setPath(path)
                                    .setData(ByteString.copyFromUtf8("v" + i)).setExpectedVersion(-1).build());
                        }
                        acknowledged.incrementAndGet();
                    } catch (RuntimeException e) {
                        return; // the cluster is stopping
                    }
                }
            });
            writer.start();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> acknowledged.get() > 100);
            // From a follower: any member's applied state is a consistent cut.
            try (OutputStream out = Files.newOutputStream(file)) {
                Iterator<SnapshotChunk> chunks = alpha.maintenance(alpha.other(leader))
                        .snapshot(SnapshotRequest.getDefaultInstance());
                while (chunks.hasNext()) {
                    chunks.next().getData().writeTo(out);
                }
            }
            long afterSnapshot = acknowledged.get();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> acknowledged.get() > afterSnapshot + 20);
            stop.set(true);
            writer.join(10_000);
        }

        Map<String, String> tree = new TreeMap<>();
        SnapshotFile.Summary summary = SnapshotFile.read(file, (k, v) -> {
            if (k[0] == 'n' || k[0] == 'v') {
                tree.put(HexFormat.of().formatHex(k), HexFormat.of().formatHex(v));
            }
        });
        assertEquals("alpha", summary.header().getClusterId());
        assertTrue(summary.header().getRevision() > 100, "revision " + summary.header().getRevision());
        assertEquals(3, summary.header().getMembersCount());

        try (InJvmCluster beta = new InJvmCluster(dir.resolve("beta"), 3, "beta")) {
            String initial = "1=" + beta.peerAddress(1) + ",2=" + beta.peerAddress(2) + ",3=" + beta.peerAddress(3);
            for (long id = 1; id <= 3; id++) {
                assertEquals(0, restore(file, beta.dataDir(id), id, "beta", initial), "restore of member " + id);
            }
            beta.startAll();
            long leader = beta.awaitLeader();
            for (long id = 1; id <= 3; id++) {
                Map<String, String> held = new TreeMap<>();
                beta.node(id).node().store().forEachInRange(new byte[] {'n'}, new byte[] {'w'}, Integer.MAX_VALUE,
                        (k, v) -> {
                            if (k[0] == 'n' || k[0] == 'v') {
                                held.put(HexFormat.of().formatHex(k), HexFormat.of().formatHex(v));
                            }
                        });
                assertEquals(tree, held, "member " + id + " holds exactly the snapshot's nodes");
                assertTrue(beta.node(id).state().revision() >= summary.header().getRevision());
            }
            CreateResponse next = beta.kv(leader).create(CreateRequest.newBuilder().setPath("/seq-")
                    .setMode(CreateMode.PERSISTENT_SEQUENTIAL).build());
            assertTrue(next.getPath().compareTo(lastSequential) > 0, next.getPath() + " after " + lastSequential);
            assertTrue(next.getHeader().getRevision() > summary.header().getRevision(),
                    "revision " + next.getHeader().getRevision() + " continues after " + summary.header().getRevision());
        }
    }

    @Test
    void restoreRefusesCorruptTruncatedFilesUsedDataDirsAndTheOldClusterId() throws Exception {
        Path file = dir.resolve("small.snap");
        try (InJvmCluster alpha = new InJvmCluster(dir.resolve("alpha"), 1, "alpha")) {
            alpha.startAll();
            long leader = alpha.awaitLeader();
            alpha.kv(leader).create(CreateRequest.newBuilder().setPath("/a").setData(ByteString.copyFromUtf8("x"))
                    .build());
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            Iterator<SnapshotChunk> chunks = alpha.maintenance(leader).snapshot(SnapshotRequest.getDefaultInstance());
            while (chunks.hasNext()) {
                chunks.next().getData().writeTo(bytes);
            }
            Files.write(file, bytes.toByteArray());
        }
        byte[] whole = Files.readAllBytes(file);
        String initial = "1=127.0.0.1:1";
        Path truncated = dir.resolve("truncated.snap");
        Files.write(truncated, Arrays.copyOf(whole, whole.length - 10));
        assertEquals(3, restore(truncated, dir.resolve("t"), 1, "beta", initial));
        assertFalse(Files.exists(dir.resolve("t").resolve("db")));

        Path corrupt = dir.resolve("corrupt.snap");
        byte[] bad = whole.clone();
        bad[whole.length / 2] ^= 1;
        Files.write(corrupt, bad);
        assertEquals(3, restore(corrupt, dir.resolve("c"), 1, "beta", initial));
        assertFalse(Files.exists(dir.resolve("c").resolve("db")));

        Files.createDirectories(dir.resolve("used"));
        Files.writeString(dir.resolve("used").resolve("something"), "old data");
        assertEquals(3, restore(file, dir.resolve("used"), 1, "beta", initial));
        assertEquals(List.of("something"), list(dir.resolve("used")));

        assertEquals(3, restore(file, dir.resolve("same"), 1, "alpha", initial));
        assertEquals(2, restore(file, dir.resolve("bad-id"), 2, "beta", initial));
        assertEquals(0, restore(file, dir.resolve("good"), 1, "beta", initial));
    }

    private static List<String> list(Path d) throws IOException {
        List<String> out = new ArrayList<>();
        try (var s = Files.list(d)) {
            s.forEach(p -> out.add(p.getFileName().toString()));
        }
        return out;
    }

    private static int restore(Path file, Path dataDir, long id, String clusterId, String initial) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        int code = new picocli.CommandLine(new RestoreCommand(new PrintStream(OutputStream.nullOutputStream()),
                errStream)).execute(file.toString(), "--data-dir", dataDir.toString(), "--id", Long.toString(id),
                "--cluster-id", clusterId, "--initial-cluster", initial);
        if (code != 0) {
            assertFalse(err.toString(StandardCharsets.UTF_8).isBlank(), "a refusal says why");
        }
        return code;
    }
}
