package io.kvorum.server.raft;

import static io.kvorum.server.raft.RaftTesting.bytes;
import static io.kvorum.server.raft.RaftTesting.from;
import static io.kvorum.server.raft.RaftTesting.to;
import static io.kvorum.server.raft.RaftTesting.type;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Commitment: Raft paper §5.3, §5.4.2 and Figure 8, §8 (the no-op), State Machine Safety.
 */
class CommitRulesTest {

    private static Message single(List<Message> msgs, String what) {
        assertEquals(1, msgs.size(), "expected exactly one " + what + ", got " + msgs);
        return msgs.get(0);
    }

    @Test
    void leaderCommitsAnEntryOnceAMajorityStoresIt() {
        // §5.3: "A log entry is committed once the leader that created the entry has replicated it on a majority".
        LocalCluster c = new LocalCluster(1, 2, 3, 4, 5);
        c.elect(1);
        c.cutLink(1, 4);
        c.cutLink(1, 5);
        c.core(1).propose(bytes("x"));
        c.deliverAll();
        long x = c.status(1).lastIndex();
        assertEquals(x, c.status(1).commit(), "x is on 1, 2 and 3: a majority of 5");
        for (long id = 1; id <= 3; id++) {
            assertEquals(List.of("x"), c.appliedData(id), "node " + id + " did not apply x");
        }
    }

    @Test
    void leaderDoesNotCommitAnEntryStoredOnAMinority() {
        LocalCluster c = new LocalCluster(1, 2, 3, 4, 5);
        c.elect(1);
        c.cutLink(1, 3);
        c.cutLink(1, 4);
        c.cutLink(1, 5);
        c.core(1).propose(bytes("x"));
        c.deliverAll();
        c.tickAll(5);
        assertTrue(c.status(1).commit() < c.status(1).lastIndex(), "x is on 1 and 2 only, yet it was committed");
        assertTrue(c.appliedData(1).isEmpty(), "x was applied without a majority");
    }

    @Test
    void newLeaderAppendsANoOpEntryOfItsTermAndCommitsIt() {
        // §8: "each leader commit[s] a blank no-op entry into the log at the start of its term".
        LocalCluster c = new LocalCluster(1, 2, 3);
        c.elect(1);
        long term = c.status(1).term();
        Entry last = c.applied.get(1L).get(c.applied.get(1L).size() - 1);
        assertEquals(term, last.term(), "the new leader's first entry must be of its own term");
        assertEquals(EntryType.NORMAL, last.type());
        assertEquals(0, last.data().length, "the no-op carries no command");
        assertEquals(c.status(1).lastIndex(), c.status(1).commit(), "the no-op must be committed without any proposal");
    }

    // ---------------------------------------------------------------- Figure 8

    /*
     * Figure 8 with five nodes, plain Raft (no pre-vote or leases, as in the paper) and one entry
     * per APPEND so a follower can receive index 6 without index 7. The bootstrap entries fill
     * indexes 1..5 at term 1; the figure's index 2 is our index 6, its index 3 our index 7.
     */
    private static LocalCluster figure8() {
        return new LocalCluster(t -> t.plainRaft().maxMsgEntries(1), 1, 2, 3, 4, 5);
    }

    /** Steps (a) to (c): S1 leads term 4 and holds 6@2 on a majority it knows of, and nothing of term 4 elsewhere. */
    private static void figure8UpToC(LocalCluster c) {
        // (a) S1 leads term 2 and replicates its entry at index 6 to S2 only.
        c.dropIf = m -> m.type() == MessageType.APPEND && m.from() == 1 && m.to() >= 3;
        c.elect(1);
        assertEquals(2, c.status(1).term());
        assertEquals(List.of(2L), c.logTerms(1, 6), "(a) S1 holds 6@2");
        assertEquals(List.of(2L), c.logTerms(2, 6), "(a) S2 holds 6@2");
        assertEquals(5, c.status(1).commit(), "(a) 6@2 is on 2 of 5 nodes only");

        // (b) S1 crashes; S5 wins term 3 with S3, S4 and itself, and writes 6@3 on itself only.
        c.crash(1);
        c.isolate(1);
        c.dropIf = m -> m.type() == MessageType.APPEND && m.from() == 5;
        c.elect(5);
        assertEquals(3, c.status(5).term());
        assertEquals(List.of(3L), c.logTerms(5, 6), "(b) S5 holds 6@3");

        // (c) S5 crashes; S1 restarts and wins term 4 (term 3 fails: S3 and S4 voted for S5 in it).
        c.crash(5);
        c.heal();
        c.isolate(5);
        c.dropIf = m -> false;
        c.core(1).campaign();
        c.deliverWhere(type(MessageType.VOTE).or(type(MessageType.VOTE_RESPONSE)));
        assertNotEquals(Role.LEADER, c.status(1).role(), "(c) S1 cannot win term 3");
        c.core(1).campaign();
        c.deliverWhere(type(MessageType.VOTE).or(type(MessageType.VOTE_RESPONSE)));
        assertEquals(Role.LEADER, c.status(1).role(), "(c) S1 wins term 4 with S2, S3, S4");
        assertEquals(4, c.status(1).term());
        assertEquals(List.of(2L, 4L), c.logTerms(1, 6), "(c) S1 appended its no-op 7@4");
        // S1 brings S3 and S4 (which lack index 6) up to 6@2; its appends of 7@4 stay in flight.
        for (long f : new long[]{3, 4}) {
            c.step(single(c.take(type(MessageType.APPEND).and(to(f))), "probe to S" + f));
            c.deliverWhere(type(MessageType.APPEND_RESPONSE).and(from(f)));
            Message six = single(c.take(type(MessageType.APPEND).and(to(f))), "repair append to S" + f);
            assertEquals(List.of(6L), six.entries().stream().map(Entry::index).toList(), "one entry per APPEND");
            c.step(six);
            c.deliverWhere(type(MessageType.APPEND_RESPONSE).and(from(f)));
            assertEquals(List.of(2L), c.logTerms(f, 6), "(c) S" + f + " holds 6@2");
        }
        assertEquals(6, c.status(1).progress().get(3L).match(), "(c) S1 knows S3 holds index 6");
        assertEquals(6, c.status(1).progress().get(4L).match(), "(c) S1 knows S4 holds index 6");
    }

    @Test
    void leaderCommitsOnlyEntriesOfItsOwnTermByCounting() {
        // Raft paper §5.4.2, Figure 8 (canonical/raft#220): "Raft never commits log entries from
        // previous terms by counting replicas."
        LocalCluster c = figure8();
        figure8UpToC(c);
        assertEquals(5, c.status(1).commit(),
                "(c) S1 committed 6@2 by counting S1, S3, S4: an entry of an earlier term must not commit that way");

        // (d) S1 crashes before 7@4 leaves; S5 restarts and wins term 5 with S2, S3, S4 (its 6@3 beats their 6@2)
        // and overwrites index 6 everywhere: had S1 counted 6@2 as committed, a committed entry would be gone.
        c.dropAll();
        c.heal();
        c.isolate(1);
        c.crash(5);
        c.core(5).campaign();
        c.deliverAll();
        assertNotEquals(Role.LEADER, c.status(5).role(), "(d) S5 cannot win term 4: S2, S3, S4 voted for S1");
        c.elect(5);
        assertEquals(5, c.status(5).term());
        for (long id = 2; id <= 5; id++) {
            assertEquals(List.of(3L, 5L), c.logTerms(id, 6), "(d) S" + id + " must hold 6@3 and 7@5");
            assertEquals(3, c.applied.get(id).get(5).term(), "(d) S" + id + " applied 6@3 at index 6");
        }
        assertTrue(c.applied.get(1L).stream().noneMatch(e -> e.index() >= 6), "S1 applied an uncommitted entry");
    }

    @Test
    void earlierTermEntryCommitsIndirectlyWithTheFirstEntryOfTheLeadersTerm() {
        // Figure 8 (e): once 7@4 is on a majority, 6@2 commits with it, and S5 can no longer win.
        LocalCluster c = figure8();
        figure8UpToC(c);
        c.deliverAll();
        assertEquals(7, c.status(1).commit(), "(e) 7@4 is on a majority: S1 must commit it and 6@2 with it");
        assertEquals(List.of(2L, 4L), c.applied.get(1L).subList(5, 7).stream().map(Entry::term).toList(),
                "(e) S1 applies 6@2 then 7@4");
        c.heal();
        c.isolate(1);
        for (int attempt = 0; attempt < 2; attempt++) {
            c.core(5).campaign();
            c.deliverAll();
            assertNotEquals(Role.LEADER, c.status(5).role(), "(e) S5 (last entry 6@3) won against logs ending 7@4");
        }
    }

    // ---------------------------------------------------------------- followers' commit and applying

    @Test
    void heartbeatCarriesACommitIndexNoHigherThanWhatTheFollowerIsKnownToHold() {
        // A follower may commit only entries that match the leader's; it knows that only up to its match.
        LocalCluster c = new LocalCluster(1, 2, 3);
        c.elect(1);
        c.isolate(3);
        c.core(1).propose(bytes("x"));
        c.core(1).propose(bytes("y"));
        c.deliverAll();
        c.heal();
        long match = c.status(1).progress().get(3L).match();
        assertTrue(match < c.status(1).commit(), "precondition: node 3 lags behind the commit");
        c.core(1).tick();
        Message hb = single(c.take(type(MessageType.HEARTBEAT).and(to(3))), "heartbeat to 3");
        assertEquals(match, hb.commit(), "heartbeat told node 3 a commit beyond its known match");
    }

    @Test
    void followerNeverCommitsBeyondItsOwnLastEntryWhateverTheHeartbeatSays() {
        LocalCluster c = new LocalCluster(t -> t, java.util.Map.of(2L,
                RaftTesting.storageWithTerms(RaftTesting.ids(1, 2, 3), 2, 3, 2, 2)));
        c.step(RaftTesting.msg(MessageType.HEARTBEAT, 1, 2, 2).commit(9).build());
        assertEquals(5, c.status(2).commit(), "commit went beyond the follower's last index 5");
    }

    @Test
    void everyNodeAppliesTheSameEntriesInLogOrderExactlyOnce() {
        // §5.4.3 State Machine Safety, across leader changes and a crash.
        LocalCluster c = new LocalCluster(1, 2, 3);
        c.elect(1);
        c.core(1).propose(bytes("a"));
        c.deliverAll();
        c.core(1).transferLeadership(2);
        c.deliverAll();
        c.core(2).propose(bytes("b"));
        c.core(3).propose(bytes("c"));
        c.deliverAll();
        c.crash(3);
        c.core(2).propose(bytes("d"));
        c.deliverAll();
        c.tickAll(2);
        for (long id = 1; id <= 3; id++) {
            List<Entry> applied = c.applied.get(id);
            for (int i = 0; i < applied.size(); i++) {
                assertEquals(i + 1, applied.get(i).index(), "node " + id + " applied out of order or twice: " + applied);
            }
            assertEquals(c.applied.get(1L), applied, "node " + id + " applied different entries than node 1");
            assertEquals(List.of("a", "b", "c", "d"), c.appliedData(id), "node " + id);
        }
    }
}
