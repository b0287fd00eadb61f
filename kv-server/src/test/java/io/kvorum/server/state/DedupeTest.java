package io.kvorum.server.state;

import static io.kvorum.server.state.StateHarness.create;
import static io.kvorum.server.state.StateHarness.openSession;
import static io.kvorum.server.state.StateHarness.set;
import static io.kvorum.server.state.StateHarness.withClient;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.kvorum.proto.internal.v1.Command;
import io.kvorum.proto.internal.v1.CommandResult;
import io.kvorum.proto.v1.CreateMode;
import io.kvorum.proto.v1.ErrorReason;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;

/** Exactly-once writes: (client, sequence) applies once; answers are forgotten only when safe or bounded. */
class DedupeTest {
    @TempDir
    Path dir;
    StateHarness h;

    @AfterEach
    void close() {
        if (h != null) {
            h.close();
        }
    }

    private static StateLimits limits(int clients, int perClient) {
        StateLimits d = StateLimits.defaults();
        return new StateLimits(d.maxPathBytes(), d.maxValueBytes(), d.maxRequestBytes(), d.maxMultiOps(),
                d.historyRevisions(), clients, perClient, d.minSessionTtlMillis(), d.maxSessionTtlMillis());
    }

    @Test
    void aRetriedWriteIsAppliedOnceAndAnsweredTheSame() {
        h = new StateHarness(dir);
        h.ok(create("/a"));
        CommandResult first = h.ok(withClient(set("/a", "x", -1), "c1", 1, 1));
        CommandResult retry = h.ok(withClient(set("/a", "x", -1), "c1", 1, 1));
        assertEquals(first, retry);
        assertEquals(1, h.stat("/a").getVersion());
        assertEquals(2, h.state.revision());
    }

    @Test
    void aRetryInTheSameBatchIsAnsweredFromTheFirst() {
        h = new StateHarness(dir);
        List<CommandResult> rs = h.batch(withClient(create("/", "", CreateMode.PERSISTENT_SEQUENTIAL), "c1", 5, 5),
                withClient(create("/", "", CreateMode.PERSISTENT_SEQUENTIAL), "c1", 5, 5));
        assertFalse(rs.get(0).hasError(), rs.get(0)::toString);
        assertEquals(rs.get(0), rs.get(1));
        assertEquals(1, h.stat("/").getNumChildren());
    }

    @Test
    void aRefusedWriteIsRememberedToo() {
        h = new StateHarness(dir);
        CommandResult first = h.run(withClient(set("/a", "x", -1), "c1", 1, 1));
        assertEquals(ErrorReason.NO_NODE, first.getError().getReason());
        h.ok(create("/a"));
        assertEquals(first, h.run(withClient(set("/a", "x", -1), "c1", 1, 1)));
        assertEquals(0, h.stat("/a").getVersion());
    }

    @Test
    void differentSequencesAndClientsAreDifferentWrites() {
        h = new StateHarness(dir);
        h.ok(create("/a"));
        h.ok(withClient(set("/a", "x", -1), "c1", 1, 1));
        h.ok(withClient(set("/a", "x", -1), "c1", 2, 1));
        h.ok(withClient(set("/a", "x", -1), "c2", 1, 1));
        assertEquals(3, h.stat("/a").getVersion());
    }

    @Test
    void aSequenceBelowTheLowestUnansweredIsForgottenAndNeverAppliedAgain() {
        h = new StateHarness(dir);
        h.ok(create("/a"));
        h.ok(withClient(set("/a", "x", -1), "c1", 1, 1));
        h.ok(withClient(set("/a", "y", -1), "c1", 2, 2));
        // Sequence 1 was answered (the client said so): its answer is gone, and a late copy is refused.
        CommandResult late = h.fails(ErrorReason.SESSION_EXPIRED, withClient(set("/a", "x", -1), "c1", 1, 1));
        assertNotEquals("", late.getError().getMessage());
        assertEquals(2, h.stat("/a").getVersion());
        assertEquals(List.of(2L), storedSequences(), "the answer of sequence 1 is deleted");
    }

    @Test
    void answersPerClientAreBoundedAndTheOldestIsRefusedAfterwards() {
        h = new StateHarness(dir, limits(100, 3));
        h.ok(create("/a"));
        for (long seq = 1; seq <= 5; seq++) {
            h.ok(withClient(set("/a", "v" + seq, -1), "c1", seq, 0));
        }
        assertEquals(List.of(3L, 4L, 5L), storedSequences());
        h.fails(ErrorReason.SESSION_EXPIRED, withClient(set("/a", "v1", -1), "c1", 1, 0));
        h.ok(withClient(set("/a", "v5", -1), "c1", 5, 0));
        assertEquals(5, h.stat("/a").getVersion());
    }

    @Test
    void clientsAreBoundedByEvictingTheLeastRecentlyUsed() {
        h = new StateHarness(dir, limits(2, 10));
        h.ok(create("/a"));
        h.ok(withClient(set("/a", "x", -1), "old", 1, 0));
        h.ok(withClient(set("/a", "x", -1), "mid", 1, 0));
        h.ok(withClient(set("/a", "x", -1), "old", 2, 0)); // "old" is now the most recent
        h.ok(withClient(set("/a", "x", -1), "new", 1, 0)); // evicts "mid"
        assertEquals(4, h.stat("/a").getVersion());
        h.ok(withClient(set("/a", "x", -1), "old", 2, 0));
        assertEquals(4, h.stat("/a").getVersion(), "old is still remembered");
        h.ok(withClient(set("/a", "x", -1), "mid", 1, 0));
        assertEquals(5, h.stat("/a").getVersion(), "mid was forgotten, so its retry applied again");
        long clients = h.dump().keySet().stream().filter(k -> k.startsWith("63")).count();
        assertEquals(2, clients);
    }

    @Test
    void theTableSurvivesARestart() {
        h = new StateHarness(dir);
        CommandResult first = h.ok(withClient(openSession(10_000), "c1", 7, 7));
        h.reopen();
        assertEquals(first, h.ok(withClient(openSession(10_000), "c1", 7, 7)));
        assertEquals(1, h.state.sessions().size());
    }

    @Test
    void commandsWithoutAClientIdAreNotDeduplicated() {
        h = new StateHarness(dir);
        h.ok(create("/a"));
        h.ok(set("/a", "x", -1));
        h.ok(set("/a", "x", -1));
        assertEquals(2, h.stat("/a").getVersion());
        assertFalse(h.dump().keySet().stream().anyMatch(k -> k.startsWith("62") || k.startsWith("63")));
    }

    @Test
    void aBatchWritesEachClientsRecordsAndTheRevisionOnce() {
        h = new StateHarness(dir);
        h.ok(create("/a"));
        List<Command.Builder> sets = new ArrayList<>();
        for (long seq = 1; seq <= 40; seq++) {
            sets.add(withClient(set("/a", "v" + seq, -1), "c1", seq, Math.max(1, seq - 8)));
        }
        h.batch(sets.toArray(Command.Builder[]::new));
        // Per set a node record and a history entry; once per batch the revision, the client's
        // record and its answer record (sequences 1 to 40 share one).
        assertEquals(2 * 40 + 3, h.lastBatchWrites);
        assertEquals(40, h.stat("/a").getVersion());
        assertEquals(LongStream.rangeClosed(32, 40).boxed().toList(), storedSequences());
    }

    @Test
    void answersAcrossRecordsAndBatchesAreRememberedThroughARestart() {
        h = new StateHarness(dir);
        h.ok(create("/a"));
        List<CommandResult> first = new ArrayList<>();
        for (long seq = 1; seq <= 150; seq += 10) {
            List<Command.Builder> batch = new ArrayList<>();
            for (long s = seq; s < seq + 10; s++) {
                batch.add(withClient(set("/a", "v" + s, -1), "c1", s, 0));
            }
            first.addAll(h.batch(batch.toArray(Command.Builder[]::new)));
        }
        assertEquals(LongStream.rangeClosed(1, 150).boxed().toList(), storedSequences());
        h.reopen();
        for (long seq : new long[] {1, 64, 65, 128, 150}) {
            assertEquals(first.get((int) seq - 1), h.ok(withClient(set("/a", "again", -1), "c1", seq, 0)));
        }
        assertEquals(150, h.stat("/a").getVersion(), "no retry applied");
        // Everything below 130 answered: the records of 0-63 and 64-127 go, 128-191 stays.
        h.ok(withClient(set("/a", "v151", -1), "c1", 151, 130));
        assertEquals(LongStream.rangeClosed(130, 151).boxed().toList(), storedSequences());
        assertEquals(1, h.dump().keySet().stream().filter(k -> k.startsWith("62")).count());
        h.fails(ErrorReason.SESSION_EXPIRED, withClient(set("/a", "v", -1), "c1", 129, 130));
    }

    @Test
    void answersStoredOnePerKeyByEarlierVersionsAreStillAnsweredAndDeleted() {
        h = new StateHarness(dir);
        h.ok(create("/a"));
        byte[] client = "c1".getBytes(StandardCharsets.UTF_8);
        CommandResult stored = h.ok(set("/a", "x", -1));
        byte[] record = new byte[16];
        Keys.putLong(record, 0, h.nextIndex() - 1);
        Keys.putLong(record, 8, 3);
        h.replaceUnderState(w -> {
            w.put(Keys.clientPrefix(Keys.CLIENT, client), record);
            w.put(Keys.answer(Keys.clientPrefix(Keys.ANSWER, client), 3), stored.toByteArray());
            w.put(Keys.answer(Keys.clientPrefix(Keys.ANSWER, client), 4), stored.toByteArray());
        });
        assertEquals(stored, h.ok(withClient(set("/a", "y", -1), "c1", 4, 3)));
        assertEquals(1, h.stat("/a").getVersion(), "the retry of sequence 4 was answered, not applied");
        h.fails(ErrorReason.SESSION_EXPIRED, withClient(set("/a", "y", -1), "c1", 2, 3));
        h.ok(withClient(set("/a", "z", -1), "c1", 5, 5));
        assertFalse(h.dump().keySet().stream().anyMatch(k -> k.startsWith("64")), "the old keys are deleted");
        assertEquals(List.of(5L), storedSequences());
        h.reopen();
        h.fails(ErrorReason.SESSION_EXPIRED, withClient(set("/a", "y", -1), "c1", 4, 5));
    }

    /** The sequences of every stored answer record, in key order. */
    private List<Long> storedSequences() {
        List<Long> out = new ArrayList<>();
        h.store.forEachWithPrefix(Keys.prefix(Keys.ANSWERS), Integer.MAX_VALUE,
                (k, v) -> LongStream.of(Dedupe.sequencesIn(v)).forEach(out::add));
        return out;
    }
}
