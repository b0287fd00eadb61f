package io.kvorum.proto.snapshot;

import io.kvorum.proto.v1.SnapshotEnd;
import io.kvorum.proto.v1.SnapshotEntries;
import io.kvorum.proto.v1.SnapshotHeader;
import io.kvorum.proto.v1.SnapshotRecord;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The snapshot file format ({@code kvorum/v1/snapshot_file.proto} describes the layout): the
 * magic, delimited {@link SnapshotRecord}s (header, entries, end), then a SHA-256 of every
 * byte before it. Kept here, next to the messages, because the server writes and restores
 * these files and the command-line tool verifies them, and neither depends on the other.
 */
public final class SnapshotFile {
    /** The first bytes of every snapshot file. */
    public static final byte[] MAGIC = "KVSNAP\r\n".getBytes(StandardCharsets.US_ASCII);
    /** The format this code writes and the only one it reads. */
    public static final int FORMAT_VERSION = 1;
    private static final int DIGEST_BYTES = 32;
    /** Entries are grouped into records of about this many bytes. */
    private static final int RECORD_BYTES = 64 * 1024;

    private SnapshotFile() {
    }

    /** Writes a snapshot file to a stream: {@link #put} each key in order, then {@link #finish}. */
    public static final class Writer {
        private final OutputStream raw;
        private final DigestOutputStream out;
        private SnapshotEntries.Builder pending = SnapshotEntries.newBuilder();
        private int pendingBytes;
        private long keys;
        private boolean finished;

        /** Writes the magic and {@code header} at once; the caller closes {@code out}. */
        public Writer(OutputStream out, SnapshotHeader header) throws IOException {
            this.raw = out;
            this.out = new DigestOutputStream(out, sha256());
            this.out.write(MAGIC);
            SnapshotRecord.newBuilder().setHeader(header).build().writeDelimitedTo(this.out);
        }

        public void put(byte[] key, byte[] value) throws IOException {
            pending.addKeys(com.google.protobuf.ByteString.copyFrom(key))
                    .addValues(com.google.protobuf.ByteString.copyFrom(value));
            pendingBytes += key.length + value.length + 8;
            keys++;
            if (pendingBytes >= RECORD_BYTES) {
                flushEntries();
            }
        }

        /** Writes the last entries, the end record and the checksum; returns the key count. */
        public long finish() throws IOException {
            if (finished) {
                throw new IllegalStateException("snapshot file already finished");
            }
            finished = true;
            flushEntries();
            SnapshotRecord.newBuilder().setEnd(SnapshotEnd.newBuilder().setKeyCount(keys)).build()
                    .writeDelimitedTo(out);
            raw.write(out.getMessageDigest().digest());
            raw.flush();
            return keys;
        }

        private void flushEntries() throws IOException {
            if (pending.getKeysCount() > 0) {
                SnapshotRecord.newBuilder().setEntries(pending).build().writeDelimitedTo(out);
                pending = SnapshotEntries.newBuilder();
                pendingBytes = 0;
            }
        }
    }

    /** Receives the entries of a file being read, in order. */
    @FunctionalInterface
    public interface EntryVisitor {
        void accept(byte[] key, byte[] value) throws IOException;
    }

    /** What a verified file holds besides its entries. */
    public record Summary(SnapshotHeader header, long keyCount, long bytes, String sha256) {
    }

    /**
     * Reads {@code file} from start to end, handing every entry to {@code visitor}, and checks
     * it: the magic, a header of a known format, entries, the end record with the right key
     * count, the checksum, and nothing after it. The visitor sees entries before the checksum
     * is known, so a caller building something from them must discard it when this throws.
     *
     * @throws SnapshotFileException naming what is wrong (truncated, corrupt, unknown format)
     */
    public static Summary read(Path file, EntryVisitor visitor) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            return read(in, file.toString(), visitor);
        }
    }

    /** Checks {@code file} as {@link #read} does, without looking at the entries. */
    public static Summary verify(Path file) throws IOException {
        return read(file, (k, v) -> { });
    }

    static Summary read(InputStream in, String name, EntryVisitor visitor) throws IOException {
        CountingInputStream counted = new CountingInputStream(in);
        DigestInputStream din = new DigestInputStream(counted, sha256());
        byte[] magic = din.readNBytes(MAGIC.length);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new SnapshotFileException(name + " is not a Kvorum snapshot file (it does not start with the "
                    + "snapshot magic)");
        }
        SnapshotRecord first = next(din, name);
        if (first == null || !first.hasHeader()) {
            throw new SnapshotFileException(name + " has no header record after the magic: truncated or corrupt");
        }
        SnapshotHeader header = first.getHeader();
        if (header.getFormatVersion() != FORMAT_VERSION) {
            throw new SnapshotFileException(name + " has format version " + header.getFormatVersion()
                    + "; this build reads only version " + FORMAT_VERSION);
        }
        long keys = 0;
        while (true) {
            SnapshotRecord r = next(din, name);
            if (r == null) {
                throw new SnapshotFileException(name + " is truncated: it ends after " + keys
                        + " keys without its end record (" + counted.count + " bytes read)");
            }
            if (r.hasEnd()) {
                if (r.getEnd().getKeyCount() != keys) {
                    throw new SnapshotFileException(name + " is corrupt: its end record counts "
                            + r.getEnd().getKeyCount() + " keys but the file holds " + keys);
                }
                break;
            }
            if (!r.hasEntries()) {
                throw new SnapshotFileException(name + " is corrupt: a record after the header is neither entries "
                        + "nor the end");
            }
            SnapshotEntries e = r.getEntries();
            if (e.getKeysCount() != e.getValuesCount()) {
                throw new SnapshotFileException(name + " is corrupt: an entries record has " + e.getKeysCount()
                        + " keys but " + e.getValuesCount() + " values");
            }
            for (int i = 0; i < e.getKeysCount(); i++) {
                visitor.accept(e.getKeys(i).toByteArray(), e.getValues(i).toByteArray());
            }
            keys += e.getKeysCount();
        }
        byte[] expected = din.getMessageDigest().digest();
        byte[] stored = counted.readNBytes(DIGEST_BYTES);
        if (stored.length < DIGEST_BYTES) {
            throw new SnapshotFileException(name + " is truncated: its SHA-256 checksum is missing or incomplete");
        }
        if (!MessageDigest.isEqual(expected, stored)) {
            throw new SnapshotFileException(name + " is corrupt: SHA-256 of its content is "
                    + HexFormat.of().formatHex(expected) + " but the file records " + HexFormat.of().formatHex(stored));
        }
        if (counted.read() != -1) {
            throw new SnapshotFileException(name + " is corrupt: bytes follow its checksum");
        }
        return new Summary(header, keys, counted.count, HexFormat.of().formatHex(stored));
    }

    private static SnapshotRecord next(InputStream in, String name) throws IOException {
        try {
            return SnapshotRecord.parseDelimitedFrom(in);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new SnapshotFileException(name + " is truncated or corrupt: a record does not parse ("
                    + e.getMessage() + ")");
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** Counts the bytes read through it, for messages that say where a file stopped. */
    private static final class CountingInputStream extends java.io.FilterInputStream {
        long count;

        CountingInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
