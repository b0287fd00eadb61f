package io.kvorum.server.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NodeRecordCacheTest {
    private static byte[] key(String path) {
        return Keys.node(path);
    }

    @Test
    void findsARecordByTheKeysContentNotItsArray() {
        NodeRecordCache c = new NodeRecordCache(1 << 20);
        c.put(key("/a"), new byte[]{1, 2, 3});
        assertArrayEquals(new byte[]{1, 2, 3}, c.get(key("/a")));
        assertNull(c.get(key("/b")), "never remembered");
    }

    @Test
    void remembersAnAbsenceApartFromNotKnowing() {
        NodeRecordCache c = new NodeRecordCache(1 << 20);
        c.put(key("/gone"), NodeRecordCache.ABSENT);
        assertSame(NodeRecordCache.ABSENT, c.get(key("/gone")));
    }

    @Test
    void replacingARecordCountsOnlyTheNewOne() {
        NodeRecordCache c = new NodeRecordCache(1 << 20);
        c.put(key("/a"), new byte[100]);
        long one = c.bytes();
        c.put(key("/a"), new byte[300]);
        assertTrue(c.bytes() >= one + 200 && c.bytes() < one + 300, c.bytes() + " after " + one);
        long grown = c.bytes();
        c.put(key("/a"), new byte[290]);
        assertEquals(grown, c.bytes(), "a record that fits the key's buffer reuses it");
        c.put(key("/a"), new byte[10]);
        assertTrue(c.bytes() < one, "a much shorter record does not keep the large buffer: " + c.bytes());
        assertEquals(1, c.size());
    }

    @Test
    void aRecordReadBackIsACopyThatLaterRecordsOfTheKeyLeaveAlone() {
        NodeRecordCache c = new NodeRecordCache(1 << 20);
        byte[] first = {1, 2, 3, 4, 5};
        c.put(key("/a"), first);
        first[0] = 9;
        byte[] read = c.get(key("/a"));
        assertArrayEquals(new byte[]{1, 2, 3, 4, 5}, read, "the cache copied the record it was given");
        long capacity = c.bytes();
        byte[] longer = {7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7};
        c.put(key("/a"), longer);
        assertEquals(capacity, c.bytes(), "it went into the key's buffer");
        assertArrayEquals(new byte[]{1, 2, 3, 4, 5}, read, "an earlier read is not overwritten");
        assertArrayEquals(longer, c.get(key("/a")), "the record in the reused buffer, exactly");
        c.put(key("/a"), new byte[]{7, 7, 7});
        assertArrayEquals(new byte[]{7, 7, 7}, c.get(key("/a")), "a shorter record, exactly");
        c.put(key("/a"), NodeRecordCache.ABSENT);
        assertSame(NodeRecordCache.ABSENT, c.get(key("/a")));
        c.put(key("/a"), new byte[]{4, 3, 2, 1, 0, 1, 2, 3, 4});
        assertArrayEquals(new byte[]{4, 3, 2, 1, 0, 1, 2, 3, 4}, c.get(key("/a")), "a longer one after an absence");
    }

    @Test
    void theLeastRecentlyUsedLeaveFirstWhenTheBoundIsPassed() {
        NodeRecordCache probe = new NodeRecordCache(1 << 20);
        probe.put(key("/0"), new byte[200]);
        long each = probe.bytes();
        NodeRecordCache c = new NodeRecordCache(3 * each);
        c.put(key("/0"), new byte[200]);
        c.put(key("/1"), new byte[200]);
        c.put(key("/2"), new byte[200]);
        c.get(key("/0")); // now /1 is the least recently used
        c.put(key("/3"), new byte[200]);
        assertEquals(3, c.size());
        assertNull(c.get(key("/1")), "evicted");
        assertTrue(c.get(key("/0")) != null && c.get(key("/2")) != null && c.get(key("/3")) != null);
        assertTrue(c.bytes() <= 3 * each);
    }

    @Test
    void aRecordLargerThanTheBoundIsNotKept() {
        NodeRecordCache c = new NodeRecordCache(1000);
        c.put(key("/small"), new byte[10]);
        c.put(key("/huge"), new byte[5000]);
        assertNull(c.get(key("/huge")));
        assertEquals(0, c.bytes(), "and what it pushed out is accounted for");
    }

    @Test
    void clearForgetsEverything() {
        NodeRecordCache c = new NodeRecordCache(1 << 20);
        c.put(key("/a"), new byte[10]);
        c.clear();
        assertEquals(0, c.size());
        assertEquals(0, c.bytes());
        assertNull(c.get(key("/a")));
    }

    @Test
    void aNegativeBoundIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new NodeRecordCache(-1));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
    }
}
