package io.kvorum.server.storage;

import static io.kvorum.server.storage.Fixtures.ents;
import static io.kvorum.server.storage.Fixtures.entriesOnly;
import static io.kvorum.server.storage.Fixtures.open;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.server.raft.CompactedException;
import io.kvorum.server.raft.Entry;
import io.kvorum.server.raft.SnapshotMeta;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The core may read the log on one thread while the node persists on another: a reader racing
 * a write that replaces the tail or compacts the head sees either the old log or the new one,
 * never an error that claims corruption, and never a mix.
 */
class NodeStoreConcurrencyTest {
    @TempDir
    Path dir;

    @Test
    void readersRacingTruncationAndCompactionSeeConsistentLogs() throws Exception {
        try (NodeStore s = open(dir.resolve("db"))) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicLong reads = new AtomicLong();
            Thread reader = new Thread(() -> {
                while (!stop.get()) {
                    long first = s.firstIndex();
                    long last = s.lastIndex();
                    try {
                        List<Entry> got = s.entries(first, last + 1, Long.MAX_VALUE);
                        for (int i = 0; i < got.size(); i++) {
                            Entry e = got.get(i);
                            if (e.index() != first + i || (i > 0 && e.term() < got.get(i - 1).term())) {
                                throw new AssertionError("inconsistent read " + got);
                            }
                            // Every entry carries its own index and term: it was written whole.
                            if (!Fixtures.str(e.data()).equals("e" + e.index() + "t" + e.term())) {
                                throw new AssertionError("entry " + e + " holds " + Fixtures.str(e.data()));
                            }
                        }
                        if (last >= first) {
                            s.term(last);
                        }
                        reads.incrementAndGet();
                    } catch (CompactedException | IllegalArgumentException moved) {
                        // The log moved between reading its bounds and reading it: legitimate.
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                        return;
                    }
                }
            }, "log-reader");
            reader.start();
            long term = 1;
            long next = 1;
            for (int round = 0; round < 300 && failure.get() == null; round++) {
                // Each round a new leader overrules the last 5 uncommitted entries and adds more.
                long start = Math.max(s.firstIndex(), next - 5);
                term++;
                s.persist(entriesOnly(ents(start, start + 9, term)));
                next = start + 10;
                if (round % 20 == 19) {
                    long upTo = s.lastIndex() - 20;
                    for (long i = s.appliedIndex() + 1; i <= upTo; i++) {
                        Fixtures.applyOne(s, i);
                    }
                    s.createSnapshot(dir.resolve("cp" + round));
                    s.compact(s.snapshot().index());
                }
            }
            stop.set(true);
            reader.join();
            assertNull(failure.get(), () -> "reader failed: " + failure.get());
            assertTrue(reads.get() > 0);
            assertEquals(next - 1, s.lastIndex());
        }
    }

    /**
     * A lightly loaded node's checkpoints hold the log's and the state's writers back for their
     * last flush; with a persister and an applier on their own threads, as on a node, nobody
     * deadlocks and every snapshot is recorded at an index that was applied.
     */
    @Test
    void checkpointsThatHoldWritersBackRaceAPersisterAndAnApplier() throws Exception {
        try (NodeStore s = open(dir.resolve("held"))) {
            AtomicLong clock = new AtomicLong();
            s.useCheckpointClock(() -> clock.addAndGet(TimeUnit.MINUTES.toNanos(1)));
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicLong persisted = new AtomicLong();
            Thread persister = worker("persister", failure, () -> {
                for (long first = 1; !stop.get(); first += 10) {
                    s.persist(entriesOnly(ents(first, first + 9, 1)));
                    persisted.set(first + 9);
                }
            });
            Thread applier = worker("applier", failure, () -> {
                for (long next = 1; !stop.get(); ) {
                    if (next <= persisted.get()) {
                        Fixtures.applyOne(s, next++);
                    } else {
                        Thread.yield();
                    }
                }
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> s.appliedIndex() >= 10 || failure.get() != null);
            for (int round = 0; round < 20 && failure.get() == null; round++) {
                SnapshotMeta meta = s.createSnapshot(dir.resolve("held-" + round));
                assertTrue(meta.index() >= 10 && meta.index() <= s.appliedIndex(), () -> "snapshot " + meta);
            }
            stop.set(true);
            persister.join(TimeUnit.SECONDS.toMillis(30));
            applier.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(persister.isAlive() || applier.isAlive(), "a writer is stuck");
            assertNull(failure.get(), () -> "a writer failed: " + failure.get());
        }
    }

    private static Thread worker(String name, AtomicReference<Throwable> failure, Runnable body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }
}
