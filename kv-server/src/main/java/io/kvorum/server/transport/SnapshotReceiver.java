package io.kvorum.server.transport;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.stub.StreamObserver;
import io.kvorum.proto.peer.v1.FileOffset;
import io.kvorum.proto.peer.v1.SnapshotAck;
import io.kvorum.proto.peer.v1.SnapshotChunk;
import io.kvorum.proto.peer.v1.SnapshotFile;
import io.kvorum.proto.peer.v1.SnapshotHeader;
import io.kvorum.proto.peer.v1.SnapshotOffsetResponse;
import io.kvorum.server.raft.Message;
import io.kvorum.server.raft.MessageType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The receiving side of snapshot transfers: validates headers, prepares staging directories,
 * answers offset probes, and makes sure only one call at a time writes into a staging
 * directory (a retry can arrive before the receiver noticed that the previous call died).
 *
 * <p>What a staging directory holds is the resume state: a file's length is how much of it was
 * received. No separate progress record is kept because every file is checked against its
 * whole-file CRC32C before delivery, so a torn tail after a crash costs a re-send, never a
 * corrupt install.
 */
final class SnapshotReceiver {
    private final long selfId;
    private final SnapshotStore store;
    private final MessageHandler handler;
    private final TransportConfig config;
    private final TransportStats stats;
    private final Set<Path> busy = ConcurrentHashMap.newKeySet();

    SnapshotReceiver(long selfId, SnapshotStore store, MessageHandler handler, TransportConfig config,
                     TransportStats stats) {
        this.selfId = selfId;
        this.store = store;
        this.handler = handler;
        this.config = config;
        this.stats = stats;
    }

    /** A validated header: the message to deliver, where to stage, and each file's spec by name. */
    record Staging(Message message, Path dir, Map<String, SnapshotFile> files) {
        long totalBytes() {
            long n = 0;
            for (SnapshotFile f : files.values()) {
                n += f.getSize();
            }
            return n;
        }
    }

    /** Answers SnapshotOffset: how much of each file is already staged. */
    SnapshotOffsetResponse offsets(long from, SnapshotHeader header) throws StatusException {
        Staging staging = validate(from, header);
        if (!tryAcquire(staging.dir())) {
            throw busy(from, staging);
        }
        try {
            Map<String, Long> staged = prepare(staging);
            SnapshotOffsetResponse.Builder r = SnapshotOffsetResponse.newBuilder();
            staged.forEach((name, received) -> r.addFiles(FileOffset.newBuilder().setName(name).setReceived(received)));
            return r.build();
        } finally {
            release(staging.dir());
        }
    }

    /** Starts an InstallSnapshot call from {@code from}. */
    StreamObserver<SnapshotChunk> install(long from, StreamObserver<SnapshotAck> responses) {
        return new InboundSnapshot(this, from, responses, handler, config.hooks, stats);
    }

    /**
     * Checks a header from {@code from} and finds its staging directory.
     *
     * @throws StatusException INVALID_ARGUMENT when it is not a SNAPSHOT from the caller to us
     *                         with sane file names
     */
    Staging validate(long from, SnapshotHeader header) throws StatusException {
        Message m;
        try {
            m = MessageCodec.decode(header.getMessage());
        } catch (IllegalArgumentException e) {
            throw invalid("undecodable snapshot message: " + e.getMessage());
        }
        if (m.type() != MessageType.SNAPSHOT || m.snapshot() == null) {
            throw invalid("snapshot header must carry a SNAPSHOT message with its SnapshotMeta, got " + m.type());
        }
        if (m.from() != from || m.to() != selfId) {
            throw invalid("snapshot message " + m.from() + "->" + m.to() + " on a call from " + from + " to " + selfId);
        }
        Path dir = store.stagingDirFor(from, m.snapshot()).toAbsolutePath().normalize();
        Map<String, SnapshotFile> files = new LinkedHashMap<>();
        for (SnapshotFile f : header.getFilesList()) {
            try {
                SnapshotManifest.resolve(dir, f.getName());
            } catch (IllegalArgumentException e) {
                throw invalid(e.getMessage());
            }
            if (f.getSize() < 0 || files.put(f.getName(), f) != null) {
                throw invalid("bad or duplicate snapshot file entry " + f.getName());
            }
        }
        return new Staging(m, dir, files);
    }

    /**
     * Makes the staging directory hold nothing but (prefixes of) this snapshot's files.
     *
     * @return bytes staged per file, in manifest order
     */
    Map<String, Long> prepare(Staging staging) throws StatusException {
        try {
            Files.createDirectories(staging.dir());
            List<Path> present;
            try (Stream<Path> walk = Files.walk(staging.dir())) {
                present = walk.filter(Files::isRegularFile).toList();
            }
            Set<String> names = new HashSet<>(staging.files().keySet());
            for (Path p : present) {
                if (!names.contains(SnapshotManifest.nameOf(staging.dir(), p))) {
                    Files.delete(p); // left over from another snapshot that was staged here
                }
            }
            Map<String, Long> staged = new LinkedHashMap<>();
            for (SnapshotFile f : staging.files().values()) {
                Path p = SnapshotManifest.resolve(staging.dir(), f.getName());
                long have = Files.isRegularFile(p) ? Files.size(p) : 0;
                if (have > f.getSize()) {
                    Files.delete(p); // not a prefix of this file: start it over
                    have = 0;
                }
                staged.put(f.getName(), have);
            }
            return staged;
        } catch (IOException e) {
            throw Status.INTERNAL.withDescription("cannot prepare staging directory " + staging.dir() + ": " + e)
                    .withCause(e).asException();
        }
    }

    boolean tryAcquire(Path dir) {
        return busy.add(dir);
    }

    void release(Path dir) {
        busy.remove(dir);
    }

    static StatusException busy(long from, Staging staging) {
        return Status.ABORTED.withDescription("a transfer of snapshot " + staging.message().snapshot().index() + "@"
                + staging.message().snapshot().term() + " from node " + from + " is still running").asException();
    }

    private static StatusException invalid(String what) {
        return Status.INVALID_ARGUMENT.withDescription(what).asException();
    }
}
