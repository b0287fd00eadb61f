package io.kvorum.server.api;

import io.kvorum.server.housekeeping.PeriodicTask;
import io.kvorum.server.node.RaftNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scheduled backups ({@code --backup-dir}, {@code --backup-interval}, {@code --backup-retain}):
 * every interval, the node that is leader at that moment writes a snapshot file into the
 * directory, so one backup per interval exists however leadership moves. A file is written
 * under a temporary name, synced and then renamed, so a reader (a volume sync, an object-store
 * upload) never sees a partial backup; then all but the newest {@code retain} backups are
 * deleted. Names sort by time: {@code kvorum-<UTC time>.snap}.
 */
public final class BackupScheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BackupScheduler.class);
    static final String PREFIX = "kvorum-";
    static final String SUFFIX = ".snap";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private final RaftNode node;
    private final Path dir;
    private final int retain;
    private final ScheduledExecutorService timer;

    public BackupScheduler(RaftNode node, Path dir, Duration interval, int retain) throws IOException {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("--backup-interval must be positive, got " + interval);
        }
        if (retain < 1) {
            throw new IllegalArgumentException("--backup-retain must be at least 1, got " + retain);
        }
        this.node = node;
        this.dir = dir;
        this.retain = retain;
        Files.createDirectories(dir);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kvorum-backup");
            t.setDaemon(true);
            return t;
        });
        long ms = interval.toMillis();
        timer.scheduleWithFixedDelay(PeriodicTask.guard(this::backupIfLeader), ms, ms, TimeUnit.MILLISECONDS);
        LOG.info("node {}: scheduled backups into {} every {}, keeping {}", node.status().id(), dir, interval, retain);
    }

    /** Takes a backup now if this node leads; returns the file written, or null. */
    Path backupIfLeader() {
        if (!"leader".equals(node.status().role())) {
            return null;
        }
        try {
            Path file = write();
            prune();
            return file;
        } catch (IOException | RuntimeException e) {
            LOG.error("node {}: scheduled backup into {} failed: {}", node.status().id(), dir, e.toString());
            return null;
        }
    }

    private Path write() throws IOException {
        Path file = dir.resolve(PREFIX + STAMP.format(Instant.now()) + SUFFIX);
        Path tmp = dir.resolve("." + file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            OutputStream out = new java.io.BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
            long keys = SnapshotStreamer.writeTo(node, out);
            out.flush();
            ch.force(true);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            LOG.info("node {}: backup {} written ({} keys, {} bytes)", node.status().id(), file, keys, Files.size(file));
            return file;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Deletes all but the newest {@code retain} backups (and no other file). */
    private void prune() throws IOException {
        List<Path> backups;
        try (Stream<Path> s = Files.list(dir)) {
            backups = s.filter(p -> {
                String n = p.getFileName().toString();
                return n.startsWith(PREFIX) && n.endsWith(SUFFIX);
            }).sorted().toList();
        }
        for (int i = 0; i < backups.size() - retain; i++) {
            Files.deleteIfExists(backups.get(i));
            LOG.info("node {}: pruned old backup {}", node.status().id(), backups.get(i));
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
