package io.kvorum.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.kvorum.server.raft.Entry;
import io.kvorum.server.raft.EntryType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The in-memory log tail answers only what the log view says is there, and misses otherwise. */
class LogTailTest {
    private static List<Entry> entries(long from, long to, long term) {
        List<Entry> out = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            out.add(new Entry(term, i, EntryType.NORMAL, new byte[] {(byte) i}));
        }
        return out;
    }

    @Test
    void servesWhatWasAppended() {
        LogTail tail = new LogTail(100, 1 << 20);
        List<Entry> written = entries(1, 10, 1);
        tail.appended(written);
        LogView view = LogView.empty(0, 0).append(written);
        assertEquals(written.subList(2, 7), tail.read(view, 3, 8, Long.MAX_VALUE));
    }

    @Test
    void aReplacedSuffixIsNeverServedUnderTheNewTerm() {
        LogTail tail = new LogTail(100, 1 << 20);
        List<Entry> old = entries(1, 10, 1);
        tail.appended(old);
        List<Entry> replacement = entries(6, 8, 2);
        tail.appended(replacement);
        LogView view = LogView.empty(0, 0).append(old).append(replacement);
        assertEquals(replacement, tail.read(view, 6, 9, Long.MAX_VALUE));
        assertNull(tail.read(view, 8, 10, Long.MAX_VALUE), "index 9 was cut off with the old suffix");
        // A reader still holding the old view must not get the new term's entries as the old ones.
        assertNull(tail.read(LogView.empty(0, 0).append(old), 6, 7, Long.MAX_VALUE));
    }

    @Test
    void keepsOnlyTheNewestWithinItsBounds() {
        LogTail tail = new LogTail(4, 1 << 20);
        List<Entry> written = entries(1, 10, 1);
        tail.appended(written);
        LogView view = LogView.empty(0, 0).append(written);
        assertNull(tail.read(view, 6, 8, Long.MAX_VALUE));
        assertEquals(written.subList(6, 10), tail.read(view, 7, 11, Long.MAX_VALUE));
    }

    @Test
    void aGapOrASnapshotStartsAfresh() {
        LogTail tail = new LogTail(100, 1 << 20);
        tail.appended(entries(1, 5, 1));
        tail.reset(20);
        List<Entry> after = entries(21, 22, 3);
        tail.appended(after);
        LogView view = LogView.empty(20, 2).append(after);
        assertEquals(after, tail.read(view, 21, 23, Long.MAX_VALUE));
        tail.compactedTo(21);
        assertNull(tail.read(view, 21, 23, Long.MAX_VALUE));
    }

    @Test
    void stopsAtTheByteBudgetButReturnsAtLeastOne() {
        LogTail tail = new LogTail(100, 1 << 20);
        List<Entry> written = entries(1, 10, 1);
        tail.appended(written);
        LogView view = LogView.empty(0, 0).append(written);
        assertEquals(1, tail.read(view, 1, 11, 0).size());
    }
}
