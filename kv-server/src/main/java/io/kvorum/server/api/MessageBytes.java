package io.kvorum.server.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/** Reads an inbound gRPC message's bytes into one array. */
final class MessageBytes {
    private MessageBytes() {
    }

    /**
     * All of {@code stream}'s bytes. gRPC's message streams know how many bytes they hold
     * ({@link InputStream#available()} is exact), so this reads them into one array of that
     * size. {@link InputStream#readAllBytes()} would read through two 8 KiB buffers and copy the
     * bytes out of the first: about 19 KiB allocated for a 3 KiB message. A stream that
     * reports less than it holds is still read to its end.
     */
    static byte[] read(InputStream stream) throws IOException {
        int known = stream.available();
        byte[] bytes = new byte[known];
        int read = stream.readNBytes(bytes, 0, known);
        int next = stream.read();
        if (next == -1) {
            return read == known ? bytes : Arrays.copyOf(bytes, read);
        }
        ByteArrayOutputStream rest = new ByteArrayOutputStream(Math.max(64, 2 * read));
        rest.write(bytes, 0, read);
        rest.write(next);
        stream.transferTo(rest);
        return rest.toByteArray();
    }
}
