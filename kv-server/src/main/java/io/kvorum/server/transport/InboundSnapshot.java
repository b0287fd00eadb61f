package io.kvorum.server.transport;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.stub.StreamObserver;
import io.kvorum.proto.peer.v1.FileChunk;
import io.kvorum.proto.peer.v1.SnapshotAck;
import io.kvorum.proto.peer.v1.SnapshotChunk;
import io.kvorum.proto.peer.v1.SnapshotFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One InstallSnapshot call being received: stages each verified chunk, and when the sender is
 * done checks every file whole, syncs them and only then delivers the SNAPSHOT message.
 *
 * <p>gRPC calls it one callback at a time, and asks the sender for the next chunk only when
 * {@link #onNext} returned, so writing to disk right here is the back-pressure that keeps a
 * fast sender from filling this node's memory.
 */
final class InboundSnapshot implements StreamObserver<SnapshotChunk> {
    private static final Logger log = LoggerFactory.getLogger(InboundSnapshot.class);

    private final SnapshotReceiver receiver;
    private final long from;
    private final StreamObserver<SnapshotAck> responses;
    private final MessageHandler handler;
    private final TransportHooks hooks;
    private final TransportStats stats;
    private SnapshotReceiver.Staging staging;
    private final Map<String, StagedFile> files = new LinkedHashMap<>();
    private boolean holdsDir;
    private boolean finished;
    private long bytesReceived;

    /** A file of the snapshot: its spec and how much of it is on disk. */
    private static final class StagedFile {
        final SnapshotFile spec;
        final Path path;
        long length;
        FileChannel channel;

        StagedFile(SnapshotFile spec, Path path, long length) {
            this.spec = spec;
            this.path = path;
            this.length = length;
        }
    }

    InboundSnapshot(SnapshotReceiver receiver, long from, StreamObserver<SnapshotAck> responses,
                    MessageHandler handler, TransportHooks hooks, TransportStats stats) {
        this.receiver = receiver;
        this.from = from;
        this.responses = responses;
        this.handler = handler;
        this.hooks = hooks;
        this.stats = stats;
    }

    @Override
    public void onNext(SnapshotChunk chunk) {
        if (finished) {
            return; // already answered with an error; gRPC may still deliver what was in flight
        }
        try {
            if (staging == null) {
                start(chunk);
            } else {
                stage(chunk);
            }
        } catch (StatusException e) {
            fail(e.getStatus());
        } catch (IOException e) {
            fail(Status.INTERNAL.withDescription("staging failed: " + e).withCause(e));
        } catch (RuntimeException e) {
            log.warn("snapshot from node {} failed while staging", from, e);
            fail(Status.INTERNAL.withDescription("staging failed: " + e).withCause(e));
        }
    }

    private void start(SnapshotChunk first) throws StatusException {
        if (!first.hasHeader()) {
            throw Status.INVALID_ARGUMENT.withDescription("the first snapshot chunk must be the header").asException();
        }
        SnapshotReceiver.Staging s = receiver.validate(from, first.getHeader());
        if (!receiver.tryAcquire(s.dir())) {
            throw SnapshotReceiver.busy(from, s);
        }
        holdsDir = true;
        staging = s;
        // Also done by the offset probe; repeated so a call is correct without one.
        Map<String, Long> staged = receiver.prepare(s);
        for (SnapshotFile f : s.files().values()) {
            files.put(f.getName(), new StagedFile(f, SnapshotManifest.resolve(s.dir(), f.getName()),
                    staged.get(f.getName())));
        }
    }

    private void stage(SnapshotChunk c) throws StatusException, IOException {
        if (!c.hasChunk()) {
            throw Status.INVALID_ARGUMENT.withDescription("only the first snapshot chunk may be a header").asException();
        }
        FileChunk k = c.getChunk();
        StagedFile f = files.get(k.getFileName());
        if (f == null) {
            throw Status.INVALID_ARGUMENT.withDescription("chunk of " + k.getFileName()
                    + ", which is not in the snapshot's file list").asException();
        }
        ByteString data = k.getData();
        long offset = k.getOffset();
        if (offset < 0 || offset > f.length || offset + data.size() > f.spec.getSize()) {
            throw Status.OUT_OF_RANGE.withDescription("chunk of " + f.spec.getName() + " at " + offset + "+"
                    + data.size() + " does not continue the " + f.length + " staged bytes of a "
                    + f.spec.getSize() + "-byte file; probe the offsets again").asException();
        }
        if (Checksums.crc32c(data) != k.getCrc32C()) {
            stats.snapshotChunksRejected.increment();
            log.warn("snapshot from node {}: chunk of {} at {} failed its CRC32C, rejected", from,
                    f.spec.getName(), offset);
            throw Status.DATA_LOSS.withDescription("chunk of " + f.spec.getName() + " at " + offset
                    + " failed its CRC32C and was not written; resume from the staged offset").asException();
        }
        if (f.channel == null) {
            Files.createDirectories(f.path.getParent());
            f.channel = FileChannel.open(f.path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        }
        long at = offset;
        for (ByteBuffer b : data.asReadOnlyByteBufferList()) {
            while (b.hasRemaining()) {
                at += f.channel.write(b, at);
            }
        }
        f.length = Math.max(f.length, offset + data.size());
        bytesReceived += data.size();
        stats.snapshotBytesReceived.add(data.size());
        hooks.afterChunkStaged(from, f.spec.getName(), offset, data.size());
    }

    @Override
    public void onError(Throwable t) {
        if (!finished) {
            log.debug("snapshot call from node {} ended: {}", from, Status.fromThrowable(t));
            finished = true;
            cleanup();
        }
    }

    @Override
    public void onCompleted() {
        if (finished) {
            return;
        }
        try {
            if (staging == null) {
                throw Status.INVALID_ARGUMENT.withDescription("snapshot call without a header").asException();
            }
            verify();
            sync();
            finished = true;
            cleanup();
            stats.snapshotsReceived.increment();
            log.info("snapshot {}@{} from node {} staged in {} ({} bytes, {} by this call)",
                    staging.message().snapshot().index(), staging.message().snapshot().term(), from,
                    staging.dir(), staging.totalBytes(), bytesReceived);
            handler.onMessages(List.of(staging.message()));
            try {
                responses.onNext(SnapshotAck.newBuilder().setBytesReceived(bytesReceived)
                        .setBytesTotal(staging.totalBytes()).build());
                responses.onCompleted();
            } finally {
                // After the answer: the node may install the snapshot right here, which takes a while.
                handler.onMessagesDelivered();
            }
        } catch (StatusException e) {
            fail(e.getStatus());
        } catch (IOException | RuntimeException e) {
            log.warn("snapshot from node {} failed while verifying", from, e);
            fail(Status.INTERNAL.withDescription("verifying staged snapshot failed: " + e).withCause(e));
        }
    }

    /** Every file complete and matching its whole-file CRC32C; a mismatching file is deleted. */
    private void verify() throws StatusException, IOException {
        closeChannels();
        List<String> incomplete = new ArrayList<>();
        List<String> corrupt = new ArrayList<>();
        for (StagedFile f : files.values()) {
            if (f.spec.getSize() == 0 && !Files.exists(f.path)) {
                Files.createDirectories(f.path.getParent());
                Files.createFile(f.path);
            }
            long size = Files.isRegularFile(f.path) ? Files.size(f.path) : -1;
            if (size != f.spec.getSize()) {
                incomplete.add(f.spec.getName() + " (" + Math.max(size, 0) + " of " + f.spec.getSize() + " bytes)");
            } else if (Checksums.crc32c(f.path) != f.spec.getCrc32C()) {
                stats.snapshotFilesRejected.increment();
                Files.delete(f.path);
                corrupt.add(f.spec.getName());
            }
        }
        if (!corrupt.isEmpty()) {
            log.warn("snapshot from node {}: staged files {} failed their CRC32C, deleted for re-sending", from, corrupt);
            throw Status.DATA_LOSS.withDescription("files " + corrupt + " failed their whole-file CRC32C and were"
                    + " deleted; send them again").asException();
        }
        if (!incomplete.isEmpty()) {
            throw Status.DATA_LOSS.withDescription("snapshot incomplete: " + incomplete
                    + "; probe the offsets and send the rest").asException();
        }
    }

    /** Makes the staged files and their directories durable before the node may install them. */
    private void sync() throws IOException {
        Set<Path> dirs = new LinkedHashSet<>();
        for (StagedFile f : files.values()) {
            try (FileChannel ch = FileChannel.open(f.path, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            for (Path d = f.path.getParent(); d != null && d.startsWith(staging.dir()); d = d.getParent()) {
                dirs.add(d);
            }
        }
        dirs.add(staging.dir());
        for (Path d : dirs) {
            try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
                ch.force(true);
            } catch (IOException e) {
                log.debug("cannot fsync directory {} (not supported here?)", d, e);
            }
        }
    }

    private void fail(Status status) {
        finished = true;
        cleanup();
        try {
            responses.onError(status.asRuntimeException());
        } catch (RuntimeException e) {
            log.debug("snapshot call from node {} already closed", from, e);
        }
    }

    private void cleanup() {
        closeChannels();
        if (holdsDir) {
            holdsDir = false;
            receiver.release(staging.dir());
        }
    }

    private void closeChannels() {
        for (StagedFile f : files.values()) {
            if (f.channel != null) {
                try {
                    f.channel.close();
                } catch (IOException e) {
                    log.debug("closing {}", f.path, e);
                }
                f.channel = null;
            }
        }
    }
}
