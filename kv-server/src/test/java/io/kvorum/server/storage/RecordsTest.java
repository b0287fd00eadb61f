package io.kvorum.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The sealed number records of the meta column family: what they hold, and a clear error when short. */
class RecordsTest {
    private static final Path WHERE = Path.of("/data/node-1");

    @Test
    void numbersComeBackAsWritten() {
        assertEquals(-7_000_000_000L, Records.decodeLong(StoreLayout.NODE_ID,
                Records.encodeLong(StoreLayout.NODE_ID, -7_000_000_000L), WHERE));
        assertEquals(Integer.MIN_VALUE, Records.decodeInt(StoreLayout.FORMAT,
                Records.encodeInt(StoreLayout.FORMAT, Integer.MIN_VALUE), WHERE));
    }

    @Test
    void aRecordShorterThanItsNumberIsMalformed() {
        // Checksum intact, payload of 3 bytes: neither an int nor a long.
        byte[] shortInt = Records.encodeString(StoreLayout.FORMAT, "abc");
        StorageException e = assertThrows(StorageException.class,
                () -> Records.decodeInt(StoreLayout.FORMAT, shortInt, WHERE));
        assertTrue(e.getMessage().contains("is malformed"), e.getMessage());
        byte[] shortLong = Records.encodeInt(StoreLayout.NODE_ID, 1);
        e = assertThrows(StorageException.class, () -> Records.decodeLong(StoreLayout.NODE_ID, shortLong, WHERE));
        assertTrue(e.getMessage().contains("is malformed"), e.getMessage());
    }
}
