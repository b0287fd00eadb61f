package io.kvorum.server.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.kvorum.server.storage.StateReader;
import io.kvorum.server.storage.StateWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/** The overlay over a store in memory that counts its reads. */
class BatchOverlayTest {
    /** A store whose batches land when {@link Batch#write()} is called, as the node's do. */
    private static final class CountingStore implements StateReader {
        final TreeMap<byte[], byte[]> data = new TreeMap<>(Arrays::compareUnsigned);
        int gets;

        @Override
        public byte[] get(byte[] key) {
            gets++;
            return data.get(key);
        }

        @Override
        public int forEachInRange(byte[] from, byte[] to, int limit, BiConsumer<byte[], byte[]> visitor) {
            var range = to == null ? data.tailMap(from, true) : data.subMap(from, true, to, false);
            range.forEach(visitor);
            return range.size();
        }

        Batch batch() {
            return new Batch(this);
        }
    }

    private static final class Batch implements StateWriter {
        private final CountingStore store;
        private final List<Runnable> ops = new ArrayList<>();

        Batch(CountingStore store) {
            this.store = store;
        }

        @Override
        public StateWriter put(byte[] key, byte[] value) {
            ops.add(() -> store.data.put(key, value));
            return this;
        }

        @Override
        public StateWriter delete(byte[] key) {
            ops.add(() -> store.data.remove(key));
            return this;
        }

        @Override
        public StateWriter deleteRange(byte[] from, byte[] to) {
            ops.add(() -> store.data.subMap(from, to).clear());
            return this;
        }

        void write() {
            ops.forEach(Runnable::run);
        }
    }

    private final CountingStore store = new CountingStore();
    private final BatchOverlay overlay = new BatchOverlay(store, 1 << 20);

    private void inOneBatch(Runnable writes) {
        Batch b = store.batch();
        overlay.begin(b);
        writes.run();
        b.write();
        overlay.reset();
    }

    @Test
    void aNodeWrittenInAnEarlierBatchIsReadWithoutTheStore() {
        inOneBatch(() -> overlay.put(Keys.node("/a"), new byte[]{7}));
        int before = store.gets;
        assertArrayEquals(new byte[]{7}, overlay.get(Keys.node("/a")));
        assertEquals(before, store.gets);
    }

    @Test
    void aNodeDeletedInAnEarlierBatchIsKnownGoneWithoutTheStore() {
        inOneBatch(() -> overlay.put(Keys.node("/a"), new byte[]{7}));
        inOneBatch(() -> overlay.delete(Keys.node("/a")));
        int before = store.gets;
        assertNull(overlay.get(Keys.node("/a")));
        assertEquals(before, store.gets);
    }

    @Test
    void aMissingNodeIsLookedUpOnceAndItsCreationSeen() {
        assertNull(overlay.get(Keys.node("/new")));
        assertNull(overlay.get(Keys.node("/new")));
        assertEquals(1, store.gets);
        inOneBatch(() -> overlay.put(Keys.node("/new"), new byte[]{1}));
        assertArrayEquals(new byte[]{1}, overlay.get(Keys.node("/new")));
        assertEquals(1, store.gets);
    }

    @Test
    void otherKeysAlwaysComeFromTheStoreOnceTheirBatchIsWritten() {
        byte[] revision = Keys.REVISION;
        inOneBatch(() -> overlay.put(revision, new byte[]{3}));
        assertArrayEquals(new byte[]{3}, overlay.get(revision));
        assertArrayEquals(new byte[]{3}, overlay.get(revision));
        assertEquals(2, store.gets);
        assertEquals(0, overlay.cachedNodes());
    }

    @Test
    void aReplacedStoreIsReadAgain() {
        inOneBatch(() -> overlay.put(Keys.node("/a"), new byte[]{7}));
        store.data.put(Keys.node("/a"), new byte[]{9}); // as a snapshot installed under it would
        overlay.storeReplaced();
        assertArrayEquals(new byte[]{9}, overlay.get(Keys.node("/a")));
        assertEquals(1, store.gets);
    }
}
