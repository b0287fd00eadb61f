package io.kvorum.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.proto.snapshot.SnapshotFile;
import io.kvorum.proto.snapshot.SnapshotFileException;
import io.kvorum.proto.v1.SnapshotHeader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The snapshot file codec: what is written reads back; every truncation and every flipped byte is refused. */
class SnapshotFileFormatTest {
    @TempDir
    Path dir;

    private static byte[] file(int keys) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotFile.Writer w = new SnapshotFile.Writer(out, SnapshotHeader.newBuilder()
                .setFormatVersion(SnapshotFile.FORMAT_VERSION).setClusterId("c").setRevision(42).setRaftIndex(7)
                .build());
        Random r = new Random(1);
        for (int i = 0; i < keys; i++) {
            byte[] v = new byte[r.nextInt(3000)];
            r.nextBytes(v);
            w.put(String.format("k%06d", i).getBytes(StandardCharsets.UTF_8), v);
        }
        assertEquals(keys, w.finish());
        return out.toByteArray();
    }

    private Path write(byte[] bytes) throws IOException {
        Path p = Files.createTempFile(dir, "snap", ".snap");
        Files.write(p, bytes);
        return p;
    }

    @Test
    void readsBackHeaderAndEveryEntryInOrder() throws IOException {
        Path p = write(file(200));
        List<String> keys = new ArrayList<>();
        SnapshotFile.Summary s = SnapshotFile.read(p, (k, v) -> keys.add(new String(k, StandardCharsets.UTF_8)));
        assertEquals(42, s.header().getRevision());
        assertEquals(7, s.header().getRaftIndex());
        assertEquals(200, s.keyCount());
        assertEquals(200, keys.size());
        assertEquals("k000000", keys.get(0));
        assertEquals("k000199", keys.get(199));
        assertEquals(Files.size(p), s.bytes());
    }

    @Test
    void everyTruncationIsRefused() throws IOException {
        byte[] whole = file(50);
        // Every cut in the last 200 bytes (end record, checksum) and a spread over the rest.
        for (int cut = 0; cut < whole.length; cut += cut < whole.length - 200 ? 97 : 1) {
            Path p = write(Arrays.copyOf(whole, cut));
            int at = cut;
            assertThrows(SnapshotFileException.class, () -> SnapshotFile.verify(p), "cut at " + at);
        }
    }

    @Test
    void aFlippedByteAnywhereIsRefused() throws IOException {
        byte[] whole = file(50);
        for (int i = 0; i < whole.length; i += i < 64 || i > whole.length - 64 ? 1 : 131) {
            byte[] bad = whole.clone();
            bad[i] ^= 0x10;
            Path p = write(bad);
            int at = i;
            assertThrows(IOException.class, () -> SnapshotFile.verify(p), "flipped byte " + at);
        }
    }

    @Test
    void trailingBytesAndForeignFilesAreRefused() throws IOException {
        byte[] whole = file(3);
        byte[] longer = Arrays.copyOf(whole, whole.length + 1);
        SnapshotFileException e = assertThrows(SnapshotFileException.class, () -> SnapshotFile.verify(write(longer)));
        assertTrue(e.getMessage().contains("follow its checksum"), e.getMessage());
        e = assertThrows(SnapshotFileException.class,
                () -> SnapshotFile.verify(write("hello world, not a snapshot".getBytes(StandardCharsets.UTF_8))));
        assertTrue(e.getMessage().contains("not a Kvorum snapshot"), e.getMessage());
        assertArrayEquals(SnapshotFile.MAGIC, Arrays.copyOf(whole, SnapshotFile.MAGIC.length));
    }
}
