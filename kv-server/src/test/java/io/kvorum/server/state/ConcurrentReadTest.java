package io.kvorum.server.state;

import static io.kvorum.server.state.StateHarness.create;
import static io.kvorum.server.state.StateHarness.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.proto.internal.v1.Command;
import io.kvorum.proto.v1.CreateMode;
import io.kvorum.proto.v1.Stat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/** Reads from other threads while the loop applies: never older than revision(), never torn. */
class ConcurrentReadTest {
    @TempDir
    Path dir;

    @Test
    void dataReadAfterRevisionIsAtLeastThatNewAndNeverGoesBack() throws Exception {
        try (StateHarness h = new StateHarness(dir)) {
            h.ok(create("/small"));
            h.ok(create("/big", "", CreateMode.PERSISTENT));
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread reader = new Thread(() -> {
                long lastVersion = -1;
                try {
                    while (!stop.get()) {
                        long rev = h.state.revision();
                        Stat s = h.stat("/small");
                        Stat big = h.state.get("/big").orElseThrow().stat();
                        byte[] bigData = h.state.get("/big").orElseThrow().data();
                        // Each batch ends by setting /big, so its mod revision is the batch's revision.
                        assertTrue(big.getModRevision() >= rev, "read " + big.getModRevision() + " after revision " + rev);
                        assertTrue(s.getVersion() >= lastVersion, "went back in time");
                        lastVersion = s.getVersion();
                        assertTrue(bigData.length == 0 || bigData.length == 3000 || bigData.length == 5000);
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "reader");
            reader.start();
            for (int i = 0; i < 300; i++) {
                String big = (i % 2 == 0 ? "a" : "b").repeat(i % 2 == 0 ? 3000 : 5000);
                h.batch(Command.newBuilder().setCreate(io.kvorum.proto.v1.CreateRequest.newBuilder().setPath("/n" + i)),
                        set("/small", "v" + i, -1), set("/big", big, -1));
            }
            stop.set(true);
            reader.join();
            assertNull(failure.get(), () -> String.valueOf(failure.get()));
            assertEquals(300, h.stat("/small").getVersion());
        }
    }
}
