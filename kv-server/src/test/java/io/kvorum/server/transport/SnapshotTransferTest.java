package io.kvorum.server.transport;

import static io.kvorum.server.transport.Nodes.append;
import static io.kvorum.server.transport.Nodes.heartbeat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.kvorum.server.raft.ConfState;
import io.kvorum.server.raft.Message;
import io.kvorum.server.raft.MessageType;
import io.kvorum.server.raft.SnapshotMeta;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(90)
class SnapshotTransferTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int CHUNK = 256 * 1024;
    private static final SnapshotMeta META = new SnapshotMeta(100, 3, ConfState.ofVoters(1L, 2L, 3L));
    private static final Message SNAPSHOT = Message.builder(MessageType.SNAPSHOT).from(1).to(2).term(3)
            .snapshot(META).build();
    /** Sorted first, so interruptions land in the middle of it. */
    private static final String BIG = "000007.sst";
    private static final TransportConfig CONFIG = TransportConfig.builder().snapshotChunkBytes(CHUNK).build();

    @TempDir
    Path tmp;
    private Nodes nodes;
    private Path source;
    private long totalBytes;

    @BeforeEach
    void setUp() throws IOException {
        nodes = new Nodes(tmp);
        source = nodes.store(1).directoryFor(META);
        Random random = new Random(42);
        write(source.resolve(BIG), random, 3 * 1024 * 1024 + 700_000);
        write(source.resolve("MANIFEST-000005"), random, 20_000);
        write(source.resolve("OPTIONS-000009"), random, 6_000);
        Files.writeString(source.resolve("CURRENT"), "MANIFEST-000005\n");
        Files.createDirectories(source.resolve("archive"));
        Files.createFile(source.resolve("archive/empty.log"));
        totalBytes = 3 * 1024 * 1024 + 700_000 + 20_000 + 6_000 + 16;
    }

    @AfterEach
    void tearDown() {
        nodes.close();
    }

    private static void write(Path file, Random random, int size) throws IOException {
        Files.createDirectories(file.getParent());
        byte[] data = new byte[size];
        random.nextBytes(data);
        Files.write(file, data);
    }

    private Path staged(long receiver) {
        return nodes.store(receiver).stagingDirFor(1, META);
    }

    private void assertArrivedIntact(long receiver) throws IOException {
        Path staged = staged(receiver);
        List<Path> expected;
        try (Stream<Path> walk = Files.walk(source)) {
            expected = walk.filter(Files::isRegularFile).sorted().toList();
        }
        List<Path> actual;
        try (Stream<Path> walk = Files.walk(staged)) {
            actual = walk.filter(Files::isRegularFile).sorted().toList();
        }
        assertEquals(expected.stream().map(source::relativize).toList(),
                actual.stream().map(staged::relativize).toList());
        for (Path p : expected) {
            assertArrayEquals(Files.readAllBytes(p), Files.readAllBytes(staged.resolve(source.relativize(p))),
                    p.toString());
        }
        assertEquals(List.of(SNAPSHOT), nodes.inbox(receiver).from(1, MessageType.SNAPSHOT),
                "the SNAPSHOT message is delivered exactly once");
    }

    private void awaitOutcomes(String... outcomes) {
        await().atMost(WAIT).until(() -> nodes.inbox(1).snapshotOutcomes().equals(List.of(outcomes)));
    }

    @Test
    void aSnapshotDirectoryArrivesIntactOutsideTheMessageStreams() throws IOException {
        nodes.start(1, Nodes.CLUSTER, 0, CONFIG);
        nodes.start(2, Nodes.CLUSTER, 0, CONFIG);
        nodes.connectAll();
        nodes.get(1).send(List.of(SNAPSHOT));
        awaitOutcomes("2:ok");
        assertArrivedIntact(2);
        assertEquals(totalBytes, nodes.get(2).stats().snapshotBytesReceived());
        assertEquals(0, nodes.get(1).stats().framesSent(), "no SNAPSHOT message went through a stream");
    }

    @Test
    void heartbeatsKeepFlowingWhileASnapshotIsStalled() throws Exception {
        CountDownLatch stalled = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        TransportHooks slowDisk = new TransportHooks() {
            @Override
            public void afterChunkStaged(long from, String file, long offset, int length) {
                stalled.countDown();
                try {
                    release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        nodes.start(1, Nodes.CLUSTER, 0, CONFIG);
        nodes.start(2, Nodes.CLUSTER, 0, CONFIG.toBuilder().hooks(slowDisk).build());
        nodes.connectAll();
        try {
            nodes.get(1).send(List.of(SNAPSHOT));
            assertTrue(stalled.await(WAIT.toSeconds(), TimeUnit.SECONDS));
            nodes.get(1).send(List.of(heartbeat(1, 2, 5), append(1, 2, 1, 100)));
            await().atMost(WAIT).until(() -> nodes.inbox(2).count(MessageType.HEARTBEAT) == 1
                    && nodes.inbox(2).count(MessageType.APPEND) == 1);
            assertTrue(nodes.inbox(1).snapshotOutcomes().isEmpty(), "the snapshot is still in flight");
        } finally {
            release.countDown();
        }
        awaitOutcomes("2:ok");
        assertArrivedIntact(2);
    }

    @Test
    void aFailedAttemptResumesFromTheStagedOffset() throws IOException {
        AtomicBoolean crashed = new AtomicBoolean();
        AtomicReference<String> crashedFile = new AtomicReference<>();
        AtomicInteger resentBelowTheCrash = new AtomicInteger();
        AtomicInteger sentAfterTheCrash = new AtomicInteger();
        TransportHooks crashOnce = new TransportHooks() {
            @Override
            public void afterChunkStaged(long from, String file, long offset, int length) {
                if (offset == 5L * CHUNK && crashed.compareAndSet(false, true)) {
                    crashedFile.set(file);
                    throw new IllegalStateException("injected: receiver fails after staging 6 chunks");
                }
            }
        };
        TransportHooks countResends = new TransportHooks() {
            @Override
            public ByteString beforeChunkSent(long peer, String file, long offset, ByteString data) {
                // Chunks 0-5 of the failed file were all sent before it failed: any sent again
                // means the next attempt started below what the receiver had staged.
                if (crashed.get() && file.equals(crashedFile.get())) {
                    sentAfterTheCrash.incrementAndGet();
                    if (offset < 5L * CHUNK) {
                        resentBelowTheCrash.incrementAndGet();
                    }
                }
                return data;
            }
        };
        nodes.start(1, Nodes.CLUSTER, 0, CONFIG.toBuilder().hooks(countResends).build());
        nodes.start(2, Nodes.CLUSTER, 0, CONFIG.toBuilder().hooks(crashOnce).build());
        nodes.connectAll();
        nodes.get(1).send(List.of(SNAPSHOT));
        awaitOutcomes("2:ok");
        assertTrue(crashed.get());
        assertArrivedIntact(2);
        // Every byte was staged exactly once, and the second attempt started at 6 chunks, not at
        // 0. (Bytes sent are no measure: the first attempt may have had up to a flow-control
        // window of chunks in flight when it failed.)
        assertEquals(totalBytes, nodes.get(2).stats().snapshotBytesReceived());
        assertTrue(sentAfterTheCrash.get() > 0, "the rest of " + crashedFile.get() + " was sent after the crash");
        assertEquals(0, resentBelowTheCrash.get(), "chunks of " + crashedFile.get() + " sent again below the crash");
    }

    @Test
    void aTransferInterruptedByAReceiverRestartResumesFromTheStagedOffset() throws Exception {
        AtomicBoolean paused = new AtomicBoolean();
        CountDownLatch reached = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        TransportHooks pauseSenderOnce = new TransportHooks() {
            @Override
            public ByteString beforeChunkSent(long peer, String file, long offset, ByteString data) {
                if (offset >= 6L * CHUNK && paused.compareAndSet(false, true)) {
                    reached.countDown();
                    try {
                        release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return data;
            }
        };
        PeerTransport a = nodes.start(1, Nodes.CLUSTER, 0,
                CONFIG.toBuilder().hooks(pauseSenderOnce).snapshotMaxAttempts(2).build());
        PeerTransport b1 = nodes.start(2, Nodes.CLUSTER, 0, CONFIG);
        int port = b1.port();
        nodes.connectAll();
        try {
            a.send(List.of(SNAPSHOT));
            assertTrue(reached.await(WAIT.toSeconds(), TimeUnit.SECONDS));
            // The sender is paused before chunk 6: once the receiver has chunks 0..5, nothing
            // else is in flight, so exactly 6 chunks are staged when it dies.
            await().atMost(WAIT).until(() -> b1.stats().snapshotBytesReceived() == 6L * CHUNK);
            b1.close(); // the receiver dies mid-transfer; its staging directory survives
        } finally {
            release.countDown();
        }
        awaitOutcomes("2:failed");
        long stagedByFirst = b1.stats().snapshotBytesReceived();

        PeerTransport b2 = nodes.start(2, Nodes.CLUSTER, port, CONFIG);
        b2.setPeers(Map.of(1L, "127.0.0.1:" + a.port()));
        // Wait until the bulk connection is back, as the core would retry on its next round.
        await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
            a.send(List.of(append(1, 2, 1, 10)));
            return nodes.inbox(2).count(MessageType.APPEND) > 0;
        });
        a.send(List.of(SNAPSHOT));
        awaitOutcomes("2:failed", "2:ok");
        assertArrivedIntact(2);
        assertEquals(6L * CHUNK, stagedByFirst);
        assertEquals(totalBytes - 6L * CHUNK, b2.stats().snapshotBytesReceived(),
                "the restarted receiver got only what the first one had not staged");
    }

    @Test
    void aCorruptedChunkIsRejectedAndSentAgain() throws IOException {
        AtomicBoolean corrupted = new AtomicBoolean();
        TransportHooks flipABit = new TransportHooks() {
            @Override
            public ByteString beforeChunkSent(long peer, String file, long offset, ByteString data) {
                if (offset == 2L * CHUNK && corrupted.compareAndSet(false, true)) {
                    byte[] bad = data.toByteArray();
                    bad[1000] ^= 0x10;
                    return ByteString.copyFrom(bad);
                }
                return data;
            }
        };
        nodes.start(1, Nodes.CLUSTER, 0, CONFIG.toBuilder().hooks(flipABit).build());
        nodes.start(2, Nodes.CLUSTER, 0, CONFIG);
        nodes.connectAll();
        nodes.get(1).send(List.of(SNAPSHOT));
        awaitOutcomes("2:ok");
        assertTrue(corrupted.get());
        assertEquals(1, nodes.get(2).stats().snapshotChunksRejected());
        assertArrivedIntact(2);
        assertEquals(totalBytes, nodes.get(2).stats().snapshotBytesReceived(), "the bad chunk was never written");
    }

    @Test
    void aCorruptStagedFileIsCaughtByItsWholeFileChecksumAndSentAgain() throws IOException {
        // A staged file of the right length but wrong content, as after a torn write.
        Path bad = staged(2).resolve("MANIFEST-000005");
        Files.createDirectories(bad.getParent());
        Files.write(bad, new byte[20_000]);
        Files.writeString(staged(2).resolve("stale-from-another-snapshot.sst"), "x", StandardCharsets.UTF_8);

        nodes.start(1, Nodes.CLUSTER, 0, CONFIG);
        nodes.start(2, Nodes.CLUSTER, 0, CONFIG);
        nodes.connectAll();
        nodes.get(1).send(List.of(SNAPSHOT));
        awaitOutcomes("2:ok");
        assertEquals(1, nodes.get(2).stats().snapshotFilesRejected());
        assertArrivedIntact(2);
    }

    @Test
    void aSnapshotForAnUnreachableOrUnknownPeerIsReportedFailed() throws IOException {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        PeerTransport a = nodes.start(1, Nodes.CLUSTER, 0, CONFIG.toBuilder().snapshotMaxAttempts(2).build());
        a.setPeers(Map.of(2L, "127.0.0.1:" + deadPort));
        a.send(List.of(SNAPSHOT));
        awaitOutcomes("2:failed");
        a.send(List.of(SNAPSHOT.withTo(9)));
        awaitOutcomes("2:failed", "9:failed");
    }
}
