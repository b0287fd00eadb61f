package io.kvorum.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class KeySpaceTest {
    @Test
    void keysAreZeroPaddedToSevenDigitsAndLongerNumbersKeepAllTheirs() {
        KeySpace keys = new KeySpace("/bench", 100_000_000);
        assertEquals("/bench/k0000000", keys.path(0));
        assertEquals("/bench/k0000042", keys.path(42));
        assertEquals("/bench/k1234567", keys.path(1_234_567));
        assertEquals("/bench/k12345678", keys.path(12_345_678));
        for (int i : new int[] {0, 7, 99, 10_000, 9_999_999, 10_000_000}) {
            assertEquals(String.format("/bench/k%07d", i), keys.path(i), "key " + i);
        }
    }
}
