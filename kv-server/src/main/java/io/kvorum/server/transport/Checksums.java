package io.kvorum.server.transport;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * CRC32C (Castagnoli), the checksum of snapshot chunks and files: hardware-accelerated in the
 * JDK and better at catching burst errors than CRC32.
 */
final class Checksums {
    private static final int READ_BUFFER = 1 << 20;

    private Checksums() {
    }

    static int crc32c(byte[] data) {
        CRC32C crc = new CRC32C();
        crc.update(data, 0, data.length);
        return (int) crc.getValue();
    }

    /** Without copying: reads the ByteString's own buffers. */
    static int crc32c(ByteString data) {
        CRC32C crc = new CRC32C();
        for (ByteBuffer b : data.asReadOnlyByteBufferList()) {
            crc.update(b);
        }
        return (int) crc.getValue();
    }

    /** The CRC32C of a whole file. */
    static int crc32c(Path file) throws IOException {
        CRC32C crc = new CRC32C();
        ByteBuffer buf = ByteBuffer.allocateDirect(READ_BUFFER);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (ch.read(buf) >= 0) {
                buf.flip();
                crc.update(buf);
                buf.clear();
            }
        }
        return (int) crc.getValue();
    }
}
