package io.kvorum.server.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.server.raft.ConfChange;
import io.kvorum.server.raft.ConfState;
import io.kvorum.server.raft.Entry;
import io.kvorum.server.raft.Ready;
import io.kvorum.server.storage.NodeStore;
import io.kvorum.server.storage.StateWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who applies a batch handed to {@link Applier#applyHereIfIdle} or {@link Applier#applyAfterTurn}, and in which order. */
class ApplierTest {
    private static final long NODE = 1;
    private static final long INCARNATION = 7;

    @TempDir
    Path dir;

    private NodeStore store;
    private Applier applier;
    /** Each applied command and the thread that applied it, in the order applied. */
    private final List<String> applied = Collections.synchronizedList(new ArrayList<>());
    /** Applying the command {@code block} waits for this. */
    private final CountDownLatch unblock = new CountDownLatch(1);
    /** Counted down when the command {@code block} starts to be applied. */
    private final CountDownLatch blocking = new CountDownLatch(1);

    @BeforeEach
    void start() {
        store = NodeStore.open(dir, "applier-test", NODE, ConfState.ofVoters(NODE));
        StateMachine recording = new StateMachine() {
            @Override
            public byte[] apply(long index, byte[] command, StateWriter batch) {
                String c = new String(command, StandardCharsets.UTF_8);
                if (c.equals("block")) {
                    blocking.countDown();
                    try {
                        unblock.await(20, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                applied.add(index + ":" + c + "@" + Thread.currentThread().getName());
                return command;
            }
        };
        applier = new Applier(NODE, INCARNATION, store, recording, new Applier.Listener() {
            @Override
            public void membershipApplied(ConfState conf, List<ConfChange> changes) {
            }

            @Override
            public void batchApplied(long appliedIndex) {
            }

            @Override
            public void applyFailed(RuntimeException e) {
                applied.add("failed: " + e);
            }
        }, 1 << 20, NodeMetrics.NONE);
        applier.start();
    }

    @AfterEach
    void stop() {
        unblock.countDown();
        applier.close();
        store.close();
    }

    @Test
    void anIdleApplierLetsTheCallerApplyAndAnswerOnItsOwnThread() throws Exception {
        CompletableFuture<byte[]> caller = expect(1);

        applier.applyHereIfIdle(List.of(entry(1, 1, "a")));

        // Done before the call returned, by the calling thread: no hand-off.
        assertTrue(caller.isDone(), "answered when the call returned; applied: " + applied);
        assertEquals("a", new String(caller.get(), StandardCharsets.UTF_8));
        assertEquals(List.of("1:a@" + Thread.currentThread().getName()), applied);
        assertEquals(1, applier.appliedIndex());
    }

    @Test
    void aBusyApplierTakesTheBatchAfterWhatItWasHandedBefore() throws Exception {
        applier.apply(List.of(entry(1, 1, "block")));
        assertTrue(blocking.await(10, TimeUnit.SECONDS), "the apply thread started the first batch");
        CompletableFuture<byte[]> second = expect(2);

        applier.applyHereIfIdle(List.of(entry(2, 2, "b")));

        assertFalse(second.isDone(), "applied beside a batch handed over before it");
        unblock.countDown();
        await().atMost(Duration.ofSeconds(10)).until(second::isDone);
        assertEquals(List.of("1:block@raft-apply-1", "2:b@raft-apply-1"), applied);
    }

    @Test
    void aLargerBatchIsLeftToTheApplyThreadEvenWhenItIsIdle() throws Exception {
        List<Entry> batch = new ArrayList<>();
        for (int i = 1; i <= Applier.MAX_ENTRIES_APPLIED_HERE + 1; i++) {
            batch.add(entry(i, i, "e" + i));
        }
        CompletableFuture<byte[]> last = expect(batch.size());

        applier.applyHereIfIdle(batch);

        await().atMost(Duration.ofSeconds(10)).until(last::isDone);
        assertTrue(applied.stream().allMatch(a -> a.endsWith("@raft-apply-1")), "applied by the apply thread: " + applied);
        assertEquals(batch.size(), applied.size());
    }

    @Test
    void aReadWaitingForALaterIndexIsReleasedByTheBatchThatReachesIt() throws Exception {
        applier.applyHereIfIdle(List.of(entry(1, 1, "a")));
        CompletableFuture<Long> read = new CompletableFuture<>();
        applier.awaitApplied(2, read);
        await().atMost(Duration.ofSeconds(10)).until(() -> applier.appliedIndex() == 1);

        applier.applyHereIfIdle(List.of(entry(2, 2, "b")));

        assertEquals(2L, read.get(10, TimeUnit.SECONDS));
        assertEquals(2, applier.appliedIndex());
    }

    @Test
    void aBatchQueuedForAfterTheTurnIsAppliedByTheThreadThatAsksForIt() throws Exception {
        CompletableFuture<byte[]> caller = expect(1);

        assertTrue(applier.applyAfterTurn(List.of(entry(1, 1, "a"))), "an idle applier lets the caller apply later");
        applier.applyDeferred();

        assertTrue(caller.isDone(), "answered when applyDeferred returned; applied: " + applied);
        assertEquals(List.of("1:a@" + Thread.currentThread().getName()), applied);
        assertEquals(1, applier.appliedIndex());
    }

    @Test
    void workHandedOverAfterADeferredBatchRunsAfterIt() throws Exception {
        CompletableFuture<byte[]> second = expect(2);
        assertTrue(applier.applyAfterTurn(List.of(entry(1, 1, "a"))));

        applier.apply(List.of(entry(2, 2, "b"))); // wakes the apply thread, which takes both, in order

        await().atMost(Duration.ofSeconds(10)).until(second::isDone);
        applier.applyDeferred(); // nothing left
        assertEquals(List.of("1:a@raft-apply-1", "2:b@raft-apply-1"), applied);
    }

    @Test
    void aBusyApplierIsHandedTheBatchInsteadOfDeferringIt() throws Exception {
        applier.apply(List.of(entry(1, 1, "block")));
        assertTrue(blocking.await(10, TimeUnit.SECONDS), "the apply thread started the first batch");
        CompletableFuture<byte[]> second = expect(2);

        assertFalse(applier.applyAfterTurn(List.of(entry(2, 2, "b"))), "handed over behind the running batch");

        unblock.countDown();
        await().atMost(Duration.ofSeconds(10)).until(second::isDone);
        assertEquals(List.of("1:block@raft-apply-1", "2:b@raft-apply-1"), applied);
    }

    private CompletableFuture<byte[]> expect(long seq) {
        CompletableFuture<byte[]> f = new CompletableFuture<>();
        applier.expectProposal(seq, f);
        return f;
    }

    /** A proposal of this node with sequence {@code seq}, at {@code index}, persisted (as the loop does first). */
    private Entry entry(long index, long seq, String command) {
        byte[] c = command.getBytes(StandardCharsets.UTF_8);
        byte[] data = new byte[ProposalHeader.SIZE + c.length];
        System.arraycopy(c, 0, data, ProposalHeader.SIZE, c.length);
        new ProposalHeader(NODE, INCARNATION, seq).writeInto(data);
        Entry e = Entry.normal(1, index, data);
        store.persist(new Ready(null, null, List.of(e), null, List.of(), List.of(), List.of(), List.of()));
        return e;
    }
}
