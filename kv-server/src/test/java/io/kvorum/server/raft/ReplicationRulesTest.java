package io.kvorum.server.raft;

import static io.kvorum.server.raft.RaftTesting.allMessages;
import static io.kvorum.server.raft.RaftTesting.between;
import static io.kvorum.server.raft.RaftTesting.bytes;
import static io.kvorum.server.raft.RaftTesting.concat;
import static io.kvorum.server.raft.RaftTesting.entries;
import static io.kvorum.server.raft.RaftTesting.from;
import static io.kvorum.server.raft.RaftTesting.ids;
import static io.kvorum.server.raft.RaftTesting.msg;
import static io.kvorum.server.raft.RaftTesting.ofType;
import static io.kvorum.server.raft.RaftTesting.payload;
import static io.kvorum.server.raft.RaftTesting.run;
import static io.kvorum.server.raft.RaftTesting.storageWithTerms;
import static io.kvorum.server.raft.RaftTesting.to;
import static io.kvorum.server.raft.RaftTesting.type;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Log replication: Raft paper §5.3 (AppendEntries receiver rules, Log Matching, Leader
 * Append-Only), proposal forwarding, flow control (probe, pipelining, batching, byte and
 * entry caps), fast backtracking, back-pressure, and heartbeats apart from appends
 * (etcd's MaxUncommittedEntriesSize; heartbeats apart from appends, as hashicorp/raft sends them).
 *
 * <p>Follower tests use node 2 of voters {1,2,3} whose log is 1..3@1 (bootstrap), 4@2, 5@2 at
 * term 2 with commit 3, unless said otherwise.
 */
class ReplicationRulesTest {

    private static LocalCluster follower() {
        return new LocalCluster(t -> t, Map.of(2L, storageWithTerms(ids(1, 2, 3), 2, 3, 2, 2)));
    }

    private static Message single(List<Message> msgs, String what) {
        assertEquals(1, msgs.size(), "expected exactly one " + what + ", got " + msgs);
        return msgs.get(0);
    }

    private static Message answerOf(Ready rd) {
        return single(ofType(allMessages(rd), MessageType.APPEND_RESPONSE), "append response");
    }

    // ---------------------------------------------------------------- AppendEntries receiver (Figure 2)

    @Test
    void followerRejectsAppendWhosePreviousLogTermDoesNotMatch() {
        // Figure 2, AppendEntries rule 2: "Reply false if log doesn't contain an entry at prevLogIndex whose term matches prevLogTerm".
        LocalCluster c = follower();
        Ready rd = c.step(msg(MessageType.APPEND, 1, 2, 3).index(5).logTerm(3).entries(entries(6, 3)).commit(3).build());
        Message answer = answerOf(rd);
        assertTrue(answer.reject(), "entry 5 has term 2, not 3: the append must be rejected");
        assertEquals(5, answer.index(), "the rejection names the rejected index");
        assertEquals(5, c.status(2).lastIndex(), "a rejected append must not change the log");
        assertEquals(2, c.core(2).logTerm(5));
        assertTrue(rd.entries().isEmpty(), "nothing to persist after a rejection");
    }

    @Test
    void followerRejectsAppendWhosePreviousIndexIsBeyondItsLogAndHintsAtItsLastIndex() {
        LocalCluster c = follower();
        Message answer = answerOf(c.step(msg(MessageType.APPEND, 1, 2, 2).index(9).logTerm(2)
                .entries(entries(10, 2)).commit(3).build()));
        assertTrue(answer.reject(), "the follower has no entry 9");
        assertEquals(5, answer.rejectHint(), "the hint must point at the follower's last index so the leader jumps there");
        assertEquals(5, c.status(2).lastIndex());
    }

    @Test
    void followerDeletesAConflictingEntryAndAllThatFollowIt() {
        // Figure 2, rule 3: "If an existing entry conflicts with a new one (same index but different terms),
        // delete the existing entry and all that follow it".
        LocalCluster c = follower();
        Ready rd = c.step(msg(MessageType.APPEND, 1, 2, 3).index(3).logTerm(1).entries(entries(4, 3)).commit(3).build());
        Message answer = answerOf(rd);
        assertFalse(answer.reject());
        assertEquals(4, answer.index(), "ack must name the last entry the append verified");
        assertEquals(entries(4, 3), rd.entries(), "the replacing entry must be persisted");
        assertEquals(List.of(3L), c.logTerms(2, 4), "4@2 and 5@2 must be replaced by 4@3 alone");
        assertEquals(4, c.storages.get(2L).lastIndex(), "the stale 5@2 must be gone from storage too");
    }

    @Test
    void followerKeepsItsLaterEntriesWhenADelayedAppendCarriesOnlyEntriesItHas() {
        // Figure 2, rule 4: "Append any new entries not already in the log" — a reordered, older append
        // must not truncate entries that match.
        LocalCluster c = follower();
        Message answer = answerOf(c.step(msg(MessageType.APPEND, 1, 2, 2).index(3).logTerm(1)
                .entries(entries(4, 2)).commit(3).build()));
        assertFalse(answer.reject());
        assertEquals(4, answer.index());
        assertEquals(5, c.status(2).lastIndex(), "a duplicate of entry 4 truncated entry 5");
    }

    @Test
    void followerAppendsNewEntriesAfterTheMatchingOnes() {
        LocalCluster c = follower();
        Ready rd = c.step(msg(MessageType.APPEND, 1, 2, 2).index(5).logTerm(2).entries(entries(6, 2, 2)).commit(3).build());
        assertEquals(entries(6, 2, 2), rd.entries());
        assertEquals(7, answerOf(rd).index());
        assertEquals(List.of(2L, 2L, 2L, 2L), c.logTerms(2, 4));
    }

    @Test
    void followerSetsItsCommitToTheMinimumOfLeaderCommitAndItsLastNewEntry() {
        // Figure 2, rule 5: "If leaderCommit > commitIndex, set commitIndex = min(leaderCommit, index of last new entry)".
        LocalCluster c = follower();
        c.step(msg(MessageType.APPEND, 1, 2, 2).index(3).logTerm(1).entries(entries(4, 2)).commit(5).build());
        assertEquals(4, c.status(2).commit(),
                "entry 5 was not verified by this append, so the leader's commit 5 may only commit up to 4");
    }

    // ---------------------------------------------------------------- leader side

    @Test
    void leaderNeverOverwritesOrDeletesItsOwnEntriesWhileRepairingAFollower() {
        // §5.3 Leader Append-Only; the follower holds a longer divergent log of an older term.
        Map<Long, MemoryStorage> s = new LinkedHashMap<>();
        s.put(1L, storageWithTerms(ids(1, 2, 3), 4, 3, 3, 3));
        s.put(2L, storageWithTerms(ids(1, 2, 3), 4, 3, 2, 2, 2, 2, 2, 2));
        s.put(3L, storageWithTerms(ids(1, 2, 3), 4, 3, 3, 3));
        LocalCluster c = new LocalCluster(t -> t, s);
        c.elect(1);
        List<Long> leaderLog = c.logTerms(1, 1);
        c.deliverAll();
        assertEquals(leaderLog, c.logTerms(1, 1), "the leader's log changed while it repaired node 2");
        assertEquals(leaderLog, c.logTerms(2, 1), "node 2's log must become the leader's");
    }

    @Test
    void logsOfAllNodesMatchAfterReplication() {
        // §5.3 Log Matching.
        LocalCluster c = new LocalCluster(1, 2, 3);
        c.elect(1);
        for (int i = 0; i < 5; i++) {
            c.core(1).propose(bytes("v" + i));
        }
        c.deliverAll();
        c.tickAll(1);
        assertEquals(c.logTerms(1, 1), c.logTerms(2, 1));
        assertEquals(c.logTerms(1, 1), c.logTerms(3, 1));
        assertEquals(c.applied.get(1L), c.applied.get(2L), "nodes applied different entries");
        assertEquals(c.applied.get(1L), c.applied.get(3L), "nodes applied different entries");
    }

    @Test
    void proposalOnAFollowerIsForwardedToTheLeader() {
        LocalCluster c = new LocalCluster(1, 2, 3);
        c.elect(1);
        c.core(2).propose(bytes("x"));
        Message fwd = single(c.take(from(2)), "message from follower 2");
        assertEquals(MessageType.PROPOSE, fwd.type());
        assertEquals(1, fwd.to(), "the proposal must go to the leader");
        assertEquals("x", new String(fwd.entries().get(0).data()));
        c.inFlight.add(fwd);
        c.deliverAll();
        for (long id = 1; id <= 3; id++) {
            assertEquals(List.of("x"), c.appliedData(id), "node " + id);
        }
    }

    @Test
    void proposalIsRefusedWithNoLeaderWhenNoLeaderIsKnown() {
        LocalCluster c = follower();
        ProposalRejectedException e = assertThrows(ProposalRejectedException.class, () -> c.core(2).propose(bytes("x")));
        assertEquals(ProposalRejectedException.Reason.NO_LEADER, e.reason());
        assertEquals(0, e.leaderId());
    }

    // ---------------------------------------------------------------- flow control

    @Test
    void followerInProbeGetsOneAppendAtATime() {
        LocalCluster c = new LocalCluster(1, 2, 3);
        c.dropIf = type(MessageType.APPEND).and(to(3));
        c.elect(1);
        c.dropIf = m -> false;
        assertEquals(ProgressState.PROBE, c.status(1).progress().get(3L).state(), "precondition: 3 never answered");
        for (int i = 0; i < 5; i++) {
            c.core(1).propose(bytes("p" + i));
        }
        assertTrue(c.peek(type(MessageType.APPEND).and(to(3))).isEmpty(),
                "a follower in PROBE with an append outstanding must get nothing more");
        c.dropAll();
        c.core(1).tick();
        c.deliverWhere(type(MessageType.HEARTBEAT).and(to(3)).or(type(MessageType.HEARTBEAT_RESPONSE).and(from(3))));
        assertEquals(1, c.peek(type(MessageType.APPEND).and(to(3))).size(),
                "after a heartbeat answer, exactly one new probe goes to node 3");
    }

    @Test
    void followerInReplicateGetsUpToMaxInflightAppendsBeforeAcksThenPauses() {
        LocalCluster c = new LocalCluster(t -> t.maxInflightMsgs(3).maxMsgEntries(1), 1, 2, 3);
        c.elect(1);
        assertEquals(ProgressState.REPLICATE, c.status(1).progress().get(2L).state());
        for (int i = 0; i < 6; i++) {
            c.core(1).propose(bytes("p" + i));
        }
        List<Message> toTwo = c.take(type(MessageType.APPEND).and(to(2)));
        assertEquals(3, toTwo.size(), "maxInflightMsgs=3 appends may be in flight to node 2 before an ack: " + toTwo);
        c.step(toTwo.get(0));
        c.deliverWhere(type(MessageType.APPEND_RESPONSE).and(from(2)));
        List<Message> more = c.take(type(MessageType.APPEND).and(to(2)));
        assertEquals(1, more.size(), "one ack frees one slot of the window: " + more);
        assertEquals(toTwo.get(2).entries().get(0).index() + 1, more.get(0).entries().get(0).index(),
                "the freed slot carries the next entry");
    }

    @Test
    void aLeaderCatchingUpAFollowerFarBehindHoldsNoMoreThanItsInflightBytesForIt() {
        // A follower whose log is far behind (wiped, or away for long) must not make the leader
        // read its whole log into one Ready: 256 appends of up to maxMsgBytes each would be
        // 256 MiB at the production limits, an OutOfMemoryError on a small heap.
        long msgBytes = 64 << 10;
        long inflightBytes = 256 << 10;
        LocalCluster c = new LocalCluster(t -> t.maxMsgBytes(msgBytes).maxInflightBytes(inflightBytes), 1, 2, 3);
        c.elect(1);
        c.isolate(3);
        for (int i = 0; i < 200; i++) {
            c.core(1).propose(payload(16 << 10));
            c.deliverAll();
        }
        c.heal();
        Predicate<Message> entriesToThree = type(MessageType.APPEND).and(to(3)).and(m -> !m.entries().isEmpty());
        // A heartbeat round: node 3 answers, the leader probes it with one append.
        c.core(1).tick();
        c.deliverWhere(entriesToThree.negate());
        List<Message> probe = c.take(entriesToThree);
        assertEquals(1, probe.size(), "one probe to node 3: " + probe);
        c.step(probe.get(0));
        c.deliverWhere(type(MessageType.APPEND_RESPONSE).and(from(3)));
        assertEquals(ProgressState.REPLICATE, c.status(1).progress().get(3L).state());
        List<Message> window = c.peek(entriesToThree);
        long held = window.stream().flatMap(m -> m.entries().stream()).mapToLong(Entry::sizeBytes).sum();
        assertTrue(window.size() > 1, "the leader pipelines to node 3: " + window.size() + " appends");
        assertTrue(held <= inflightBytes + msgBytes, held + " entry bytes in " + window.size()
                + " appends in flight to node 3 at once; the window is " + inflightBytes + " bytes (plus one append)");
        c.deliverAll();
        c.tickAll(3);
        assertEquals(c.status(1).lastIndex(), c.status(3).lastIndex(), "node 3 did not catch up");
    }

    @Test
    void followerWhoseWholeAppendWindowWasLostCatchesUpOnTheNextHeartbeat() {
        LocalCluster c = new LocalCluster(t -> t.maxInflightMsgs(2), 1, 2, 3);
        c.elect(1);
        c.dropIf = type(MessageType.APPEND).and(to(3));
        for (int i = 0; i < 3; i++) {
            c.core(1).propose(bytes("p" + i));
        }
        c.deliverAll();
        c.dropIf = m -> false;
        c.tickAll(3);
        assertEquals(c.status(1).lastIndex(), c.status(3).lastIndex(),
                "node 3 lost a full window of appends and never recovered on an idle cluster");
    }

    @Test
    void slowFollowerGetsNoMoreThanMaxInflightAppendsWhileItsHeartbeatsAreAnswered() {
        // In-flight bytes are capped, in a loaded cluster: appends to node 2 are slow, heartbeats
        // are not. A heartbeat answer may prompt an empty probe (etcd does), not more entries past the window.
        LocalCluster c = new LocalCluster(t -> t.maxInflightMsgs(2), 1, 2, 3);
        c.elect(1);
        for (int i = 0; i < 10; i++) {
            c.core(1).propose(payload(100));
            for (long id = 1; id <= 3; id++) {
                c.core(id).tick();
            }
            c.deliverWhere(type(MessageType.APPEND).and(to(2)).negate());
        }
        List<Message> withEntries = c.peek(type(MessageType.APPEND).and(to(2)).and(m -> !m.entries().isEmpty()));
        assertTrue(withEntries.size() <= 2, withEntries.size() + " appends carrying entries are in flight to slow node 2;"
                + " the window is maxInflightMsgs=2");
        c.deliverAll();
        c.tickAll(1);
        assertEquals(c.status(1).lastIndex(), c.status(2).lastIndex(), "node 2 did not catch up once its appends arrived");
    }

    @Test
    void manyProposalsBetweenTwoReadysLeaveAsOneAppendPerFollower() {
        // Group commit and batching: one fsync and one message per batch of proposals.
        LocalCluster c = new LocalCluster(1, 2, 3);
        c.elect(1);
        for (int i = 0; i < 50; i++) {
            c.core(1).propose(payload(10));
        }
        Ready rd = c.flush(1);
        assertEquals(50, rd.entries().size(), "all 50 proposals are persisted in one Ready");
        for (long f = 2; f <= 3; f++) {
            long ff = f;
            List<Message> appends = rd.messages().stream().filter(type(MessageType.APPEND).and(to(ff))).toList();
            assertEquals(1, appends.size(), "50 proposals between two Readys should leave as one APPEND to node "
                    + f + ", got " + appends.size());
            assertEquals(50, appends.get(0).entries().size());
        }
    }

    @Test
    void appendsToACatchingUpFollowerAreBoundedByMaxMsgEntries() {
        LocalCluster c = new LocalCluster(t -> t.maxMsgEntries(4), 1, 2, 3);
        c.isolate(3);
        c.elect(1);
        for (int i = 0; i < 20; i++) {
            c.core(1).propose(bytes("p" + i));
        }
        c.deliverAll();
        c.heal();
        c.tickAll(1);
        List<Message> appends = c.deliveredWhere(type(MessageType.APPEND).and(to(3)));
        assertTrue(appends.stream().allMatch(m -> m.entries().size() <= 4),
                "an APPEND carried more than maxMsgEntries=4 entries: " + appends);
        assertTrue(appends.stream().anyMatch(m -> m.entries().size() == 4), "appends were not batched up to the cap");
        assertEquals(c.logTerms(1, 1), c.logTerms(3, 1), "node 3 did not catch up");
    }

    @Test
    void appendsToACatchingUpFollowerAreBoundedByMaxMsgBytes() {
        // 100-byte payloads count 124 bytes each: at most 2 fit in 300 bytes.
        LocalCluster c = new LocalCluster(t -> t.maxMsgBytes(300), 1, 2, 3);
        c.isolate(3);
        c.elect(1);
        for (int i = 0; i < 10; i++) {
            c.core(1).propose(payload(100));
        }
        c.deliverAll();
        c.heal();
        c.tickAll(1);
        List<Message> appends = c.deliveredWhere(type(MessageType.APPEND).and(to(3)));
        assertTrue(appends.stream().allMatch(m -> m.entries().size() <= 1 || m.entryBytes() <= 300),
                "an APPEND of several entries exceeded maxMsgBytes=300: " + appends);
        assertTrue(appends.stream().anyMatch(m -> m.entries().size() == 2), "appends were not batched up to the cap");
        assertEquals(c.logTerms(1, 1), c.logTerms(3, 1), "node 3 did not catch up");
    }

    @Test
    void singleEntryLargerThanMaxMsgBytesIsStillSent() {
        LocalCluster c = new LocalCluster(t -> t.maxMsgBytes(100), 1, 2, 3);
        c.elect(1);
        c.core(1).propose(payload(1000));
        c.deliverAll();
        assertEquals(c.status(1).lastIndex(), c.status(2).commit(), "an oversized entry never replicated");
    }

    @Test
    void fastBacktrackingRepairsADivergentFollowerInRoundTripsPerTermNotPerEntry() {
        // etcd-io/raft findConflictByTerm; paper §5.3 "the follower can include the term of the conflicting
        // entry and the first index it stores for that term".
        int small = rejectionsToRepair(10);
        int large = rejectionsToRepair(100);
        assertEquals(small, large, "rejections grew with the number of divergent entries (10 vs 100 per term)");
        assertTrue(large <= 5, large + " rejections for 5 divergent terms (2, 4, 6 on the leader; 3, 5 on the follower)");
    }

    /** Leader terms 2,4,6 (n entries each) against follower terms 3,5 after a common prefix; rejections seen. */
    private static int rejectionsToRepair(int n) {
        Map<Long, MemoryStorage> s = new LinkedHashMap<>();
        long[] leader = concat(run(2, n), run(4, n), run(6, n));
        long[] divergent = concat(run(3, n), run(5, n));
        s.put(1L, storageWithTerms(ids(1, 2, 3), 7, 3, leader));
        s.put(2L, storageWithTerms(ids(1, 2, 3), 7, 3, divergent));
        s.put(3L, storageWithTerms(ids(1, 2, 3), 7, 3, leader));
        LocalCluster c = new LocalCluster(t -> t, s);
        c.elect(1);
        assertEquals(c.logTerms(1, 1), c.logTerms(2, 1), "node 2 was not repaired (n=" + n + ")");
        return c.deliveredWhere(type(MessageType.APPEND_RESPONSE).and(from(2)).and(Message::reject)).size();
    }

    @Test
    void followerWhoseAppendsWereLostCatchesUpOnTheNextHeartbeatWithoutNewProposals() {
        // etcd answers a heartbeat response of a lagging follower with an append even when it is empty.
        LocalCluster c = new LocalCluster(1, 2, 3);
        c.elect(1);
        c.dropIf = type(MessageType.APPEND).and(to(3));
        c.core(1).propose(bytes("x"));
        c.deliverAll();
        c.dropIf = m -> false;
        c.tickAll(30);
        assertEquals(c.status(1).lastIndex(), c.status(3).lastIndex(),
                "node 3 lost one append and did not get the entry again in 30 ticks of an idle cluster");
        assertEquals(List.of("x"), c.appliedData(3));
    }

    // ---------------------------------------------------------------- back-pressure (etcd MaxUncommittedEntriesSize)

    @Test
    void uncommittedBytesCapRefusesProposalsWhileNoQuorumAnswersAndAcceptsAgainAfterCommit() {
        // etcd MaxUncommittedEntriesSize: a leader without a quorum stops taking proposals.
        LocalCluster c = new LocalCluster(t -> t.maxUncommittedBytes(1000), 1, 2, 3);
        c.elect(1);
        c.isolate(1);
        int accepted = 0;
        ProposalRejectedException refused = null;
        for (int i = 0; i < 100 && refused == null; i++) {
            try {
                c.core(1).propose(payload(100));
                accepted++;
            } catch (ProposalRejectedException e) {
                refused = e;
            }
            c.deliverAll();
        }
        assertTrue(refused != null, "the leader took 100 proposals of 124 bytes with a 1000-byte cap and no quorum");
        assertEquals(ProposalRejectedException.Reason.TOO_MUCH_UNCOMMITTED, refused.reason());
        assertTrue(accepted >= 1 && accepted <= 1000 / 124, "accepted " + accepted + " proposals of 124 bytes under a 1000-byte cap");
        long last = c.status(1).lastIndex();
        assertThrows(ProposalRejectedException.class, () -> c.core(1).propose(payload(100)));
        assertEquals(last, c.status(1).lastIndex(), "a refused proposal must not enter the log");
        c.heal();
        c.tickAll(1);
        assertEquals(last, c.status(1).commit(), "precondition: the backlog commits once the quorum is back");
        c.core(1).propose(payload(100));
        c.deliverAll();
        assertEquals(last + 1, c.status(1).commit(), "the leader must accept proposals again after the commit");
    }

    @Test
    void oneProposalLargerThanTheCapIsAcceptedWhenNothingIsUncommitted() {
        LocalCluster c = new LocalCluster(t -> t.maxUncommittedBytes(100), 1, 2, 3);
        c.elect(1);
        c.core(1).propose(payload(1000));
        c.deliverAll();
        assertEquals(c.status(1).lastIndex(), c.status(1).commit(), "an oversized proposal must still go through alone");
    }

    // ---------------------------------------------------------------- heartbeats, kept off the append path

    @Test
    void heartbeatsAreSeparateMessagesThatLeaveWhileTheAppendPipelineIsFull() {
        // Heartbeats must not queue behind appends (hashicorp/raft sends them apart).
        LocalCluster c = new LocalCluster(t -> t.maxInflightMsgs(1), 1, 2, 3);
        c.elect(1);
        c.core(1).propose(payload(100));
        assertEquals(2, c.take(type(MessageType.APPEND)).size(), "precondition: one append per follower in flight");
        c.core(1).propose(payload(100));
        assertTrue(c.peek(type(MessageType.APPEND)).isEmpty(), "precondition: the window of 1 is full");
        c.core(1).tick();
        Ready rd = c.flush(1);
        List<Message> heartbeats = ofType(rd.messages(), MessageType.HEARTBEAT);
        assertEquals(2, heartbeats.size(), "one heartbeat per follower must leave despite the full pipeline: "
                + allMessages(rd));
        assertTrue(heartbeats.stream().allMatch(m -> m.entries().isEmpty()), "heartbeats carry no entries");
        assertTrue(ofType(rd.messagesAfterPersist(), MessageType.HEARTBEAT).isEmpty(),
                "heartbeats must not wait for the leader's disk");
    }

    @Test
    void anyAppendCountsAsContactForFollowersAndForCheckQuorum() {
        // A busy leader whose heartbeats are lost but whose appends flow keeps its followers and its lease.
        LocalCluster c = new LocalCluster(1, 2, 3);
        c.elect(1);
        long term = c.status(1).term();
        c.dropIf = type(MessageType.HEARTBEAT).or(type(MessageType.HEARTBEAT_RESPONSE));
        for (int i = 0; i < 60; i++) {
            c.core(1).propose(bytes("p" + i));
            c.tickAll(1);
        }
        assertEquals(Role.LEADER, c.status(1).role(), "check-quorum ignored append responses as contact");
        for (long id = 1; id <= 3; id++) {
            assertEquals(term, c.status(id).term(), "node " + id + " started an election although appends kept coming");
        }
        assertEquals(List.of(), c.deliveredWhere(from(1).negate().and(type(MessageType.PRE_VOTE).or(type(MessageType.VOTE)))),
                "a follower timed out although appends kept coming");
        assertEquals(60, c.appliedData(2).size());
    }

    @Test
    void heartbeatsAloneKeepFollowersFromCampaigning() {
        LocalCluster c = new LocalCluster(1, 2, 3);
        c.elect(1);
        long term = c.status(1).term();
        c.tickAll(100);
        for (long id = 1; id <= 3; id++) {
            assertEquals(term, c.status(id).term(), "node " + id + " campaigned under an idle, healthy leader");
        }
        assertEquals(List.of(), c.deliveredWhere(from(1).negate().and(type(MessageType.PRE_VOTE).or(type(MessageType.VOTE)))),
                "a follower timed out although heartbeats kept coming");
        List<Message> heartbeats = c.deliveredWhere(type(MessageType.HEARTBEAT).and(between(1, 2)));
        assertTrue(heartbeats.size() >= 100, "heartbeats are sent every heartbeatTicks=1");
    }
}
