package io.kvorum.server.state;

import io.kvorum.proto.v1.CreateMode;
import io.kvorum.server.storage.StateReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;

import static io.kvorum.server.state.StateHarness.create;
import static io.kvorum.server.state.StateHarness.set;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Point reads on the apply thread (where the node serves linearizable reads) take node records
 * from the apply stage's cache between batches, and never see a batch that is not written yet.
 */
class ApplyThreadReadTest {
    @TempDir
    Path dir;
    StateHarness h;
    /** Reads of node records the state made from the store. */
    final AtomicInteger nodeReads = new AtomicInteger();

    @BeforeEach
    void open() {
        h = new StateHarness(dir, StateLimits.defaults(), CountingReads::new);
        h.ok(create("/a", "v0", CreateMode.PERSISTENT));
        h.ok(set("/a", "v1", -1));
    }

    @AfterEach
    void close() {
        h.close();
    }

    @Test
    void betweenBatchesTheApplyThreadReadsANodeWithoutTheStore() {
        int before = nodeReads.get();

        assertEquals("v1", h.data("/a")); // this thread applied: it is the apply thread

        assertEquals(before, nodeReads.get(), "the node record came from the store");
    }

    @Test
    void anyOtherThreadReadsTheStore() throws Exception {
        int before = nodeReads.get();

        String read = CompletableFuture.supplyAsync(() -> h.data("/a")).get(10, TimeUnit.SECONDS);

        assertEquals("v1", read);
        assertEquals(before + 1, nodeReads.get());
    }

    @Test
    void insideABatchTheApplyThreadReadsWhatTheStoreHoldsNotTheBatch() {
        AtomicReference<String> duringBatch = new AtomicReference<>();

        h.runWithin(set("/a", "v2", -1), () -> duringBatch.set(h.data("/a")));

        assertEquals("v1", duringBatch.get(), "a read saw a write whose batch was not written");
        assertEquals("v2", h.data("/a"));
    }

    /** The store as the state reads it, counting reads of node records. */
    private final class CountingReads implements StateReader {
        private final StateReader store;

        CountingReads(StateReader store) {
            this.store = store;
        }

        @Override
        public byte[] get(byte[] key) {
            if (Arrays.equals(key, Keys.node("/a"))) {
                nodeReads.incrementAndGet();
            }
            return store.get(key);
        }

        @Override
        public int forEachInRange(byte[] from, byte[] to, int limit, BiConsumer<byte[], byte[]> visitor) {
            return store.forEachInRange(from, to, limit, visitor);
        }
    }
}
