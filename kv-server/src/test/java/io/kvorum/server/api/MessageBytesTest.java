package io.kvorum.server.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MessageBytesTest {
    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    /** A stream that reports {@code reported} bytes available however many it holds. */
    private static InputStream reporting(byte[] b, int reported) {
        return new FilterInputStream(new ByteArrayInputStream(b)) {
            @Override
            public int available() {
                return reported;
            }
        };
    }

    @Test
    void aStreamThatKnowsItsLengthIsReadWhole() throws IOException {
        for (int n : new int[] {0, 1, 3_000, 8_192, 20_000}) {
            byte[] b = bytes(n);
            assertArrayEquals(b, MessageBytes.read(new ByteArrayInputStream(b)), "length " + n);
        }
    }

    @Test
    void aStreamReportingLessThanItHoldsIsStillReadToItsEnd() throws IOException {
        byte[] b = bytes(10_000);
        assertArrayEquals(b, MessageBytes.read(reporting(b, 0)));
        assertArrayEquals(b, MessageBytes.read(reporting(b, 4_999)));
        assertArrayEquals(b, MessageBytes.read(reporting(b, 9_999)));
    }

    @Test
    void aStreamReportingMoreThanItHoldsGivesWhatItHolds() throws IOException {
        byte[] b = bytes(1_000);
        assertArrayEquals(b, MessageBytes.read(reporting(b, 5_000)));
    }
}
