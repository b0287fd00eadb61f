package io.kvorum.server.raft;

import static io.kvorum.server.raft.RaftTesting.bytes;
import static io.kvorum.server.raft.RaftTesting.from;
import static io.kvorum.server.raft.RaftTesting.ids;
import static io.kvorum.server.raft.RaftTesting.msg;
import static io.kvorum.server.raft.RaftTesting.payload;
import static io.kvorum.server.raft.RaftTesting.storageWithTerms;
import static io.kvorum.server.raft.RaftTesting.to;
import static io.kvorum.server.raft.RaftTesting.type;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * One scenario per mistake that real Raft implementations made (each names its public bug) that
 * involves the core, each named after the mistake it guards against. Not here: client
 * sessions and deduplication (they live in the state machine) and checksums (in storage).
 * The topical classes hold the finer rules these scenarios rest on.
 */
class KnownRaftMistakesTest {

    @Test
    void mistake01_committingAnEarlierTermsEntryByCountingReplicas() {
        // Raft §5.4.2, Figure 8 (canonical/raft#220, goraft/raft#27).
        LocalCluster c = new LocalCluster(t -> t.plainRaft(),
                Map.of(1L, storageWithTerms(ids(1, 2, 3), 2, 3, 2)));
        c.core(1).campaign();
        c.flush(1);
        c.step(msg(MessageType.VOTE_RESPONSE, 2, 1, 3).build());
        assertEquals(Role.LEADER, c.status(1).role());
        assertEquals(List.of(2L, 3L), c.logTerms(1, 4), "precondition: 4@2 from an earlier term, then the no-op 5@3");
        c.step(msg(MessageType.APPEND_RESPONSE, 2, 1, 3).index(4).build());
        c.step(msg(MessageType.APPEND_RESPONSE, 3, 1, 3).index(4).build());
        assertEquals(3, c.status(1).commit(), "4@2 is on every node, but counting replicas must not commit an earlier term's entry");
        c.step(msg(MessageType.APPEND_RESPONSE, 2, 1, 3).index(5).build());
        assertEquals(5, c.status(1).commit(), "the no-op 5@3 on a majority commits 4@2 with it");
    }

    @Test
    void mistake02_servingReadIndexBeforeTheLeaderCommittedInItsTerm() {
        // etcd-io/etcd#7331, tikv/tikv#6340: the new leader's commit index can lag what was committed.
        LocalCluster c = new LocalCluster(t -> t.plainRaft(), 1, 2, 3);
        c.elect(1);
        c.core(1).propose(bytes("x"));
        List<Message> appendOfX = c.take(type(MessageType.APPEND).and(to(2)));
        assertEquals(1, appendOfX.size());
        c.step(appendOfX.get(0));
        c.deliverWhere(type(MessageType.APPEND_RESPONSE).and(from(2)));
        long x = c.status(1).lastIndex();
        assertEquals(x, c.status(1).commit(), "precondition: leader 1 committed x with node 2");
        c.dropAll();
        assertTrue(c.status(2).commit() < x, "precondition: node 2 never heard that x committed");
        c.isolate(1);
        c.dropIf = type(MessageType.APPEND).and(from(2));
        c.elect(2);
        c.core(2).readIndex(1);
        c.tickAll(3);
        assertTrue(c.readStates.get(2L).isEmpty(),
                "new leader served a read at its lagging commit " + c.status(2).commit() + " < " + x + ": a stale read");
        c.dropIf = m -> false;
        c.tickAll(1);
        assertEquals(1, c.readStates.get(2L).size());
        assertTrue(c.readStates.get(2L).get(0).index() >= x, "read index " + c.readStates.get(2L).get(0) + " misses x at " + x);
    }

    @Test
    void mistake03_membershipChangeBeforeTheNewLeaderCommittedOrWhileOneIsPending() {
        // A membership change before the term's first commit (Ongaro, raft-dev 2015; hashicorp/raft
        // configurationChangeChIfStable).
        LocalCluster c = new LocalCluster(t -> t.plainRaft(), 1, 2, 3);
        c.elect(1);
        // Leader 1 proposes adding learner 4; the entry reaches node 2 only, uncommitted; then 1 is gone.
        c.core(1).proposeConfChange(new ConfChange(ConfChangeType.ADD_LEARNER, 4, null));
        c.deliverWhere(type(MessageType.APPEND).and(to(2)));
        c.dropAll();
        c.isolate(1);
        c.dropIf = type(MessageType.APPEND).and(from(2));
        c.elect(2);
        assertEquals(ProposalRejectedException.Reason.CONF_CHANGE_PENDING,
                assertThrows(ProposalRejectedException.class,
                        () -> c.core(2).proposeConfChange(new ConfChange(ConfChangeType.ADD_LEARNER, 5, null))).reason(),
                "new leader took a change before committing in its term, with 1's change still in its tail");
        c.dropIf = m -> false;
        c.tickAll(1);
        assertEquals(Set.of(4L), c.status(2).conf().learners(), "the inherited change commits and applies first");
        assertDoesNotThrow(() -> c.core(2).proposeConfChange(new ConfChange(ConfChangeType.ADD_LEARNER, 5, null)));
        assertThrows(ProposalRejectedException.class,
                () -> c.core(2).proposeConfChange(new ConfChange(ConfChangeType.REMOVE_NODE, 4, null)),
                "a second change was taken while the first is pending");
    }

    @Test
    void mistake04_electionStormUnderAPartialPartition() {
        // etcd-io/etcd#8501, Cloudflare Nov 2020: 3 cannot reach leader 1 but reaches 2.
        LocalCluster c = new LocalCluster(1, 2, 3);
        c.elect(1);
        long term = c.status(1).term();
        c.cutLink(1, 3);
        for (int i = 0; i < 200; i++) {
            if (i % 10 == 0) {
                c.core(1).propose(bytes("w" + i));
            }
            c.tickAll(1);
        }
        assertEquals(1, c.leader(), "leader changed under a partial partition");
        for (long id = 1; id <= 3; id++) {
            assertEquals(term, c.status(id).term(), "node " + id + "'s term rose: elections were disrupted");
        }
        assertEquals(20, c.appliedData(2).size(), "writes stalled under a partial partition");
    }

    @Test
    void mistake05_answeringBeforeDurableSplittingTermAndVoteOrTrustingAStaleStorageAck() {
        // etcd-io/etcd#7317, hashicorp/raft#661. LocalCluster checks every Ready against the
        // contract: grants and acks leave only after what they promise is persisted. Here, churn with crashes
        // that lose unpersisted Readys and partitions that force elections.
        LocalCluster c = new LocalCluster(1, 2, 3, 4, 5);
        c.elect(1);
        for (int round = 0; round < 25; round++) {
            long victim = round % 5 + 1;
            if (round % 3 == 0) {
                c.hold(victim);
                long lead = c.leader();
                if (lead != 0 && lead != victim) {
                    c.core(lead).propose(bytes("r" + round));
                }
                c.tickAll(2);
                c.crash(victim);
            } else {
                c.isolate(victim);
                c.tickAll(25);
                long lead = c.leader();
                if (lead != 0) {
                    c.core(lead).propose(bytes("r" + round));
                }
                c.tickAll(2);
                c.heal();
            }
            c.tickAll(5);
        }
        c.tickAll(30);
        assertTrue(c.deliveredWhere(type(MessageType.VOTE_RESPONSE).and(m -> !m.reject())).size() >= 5,
                "the scenario did not exercise elections");
        assertTrue(c.deliveredWhere(type(MessageType.APPEND_RESPONSE).and(m -> !m.reject())).size() >= 50,
                "the scenario did not exercise replication");
        List<Entry> longest = List.of();
        for (long id = 1; id <= 5; id++) {
            if (c.applied.get(id).size() > longest.size()) {
                longest = c.applied.get(id);
            }
        }
        for (long id = 1; id <= 5; id++) {
            List<Entry> mine = c.applied.get(id);
            assertEquals(longest.subList(0, mine.size()), mine, "node " + id + " applied a different history");
        }
    }

    @Test
    void mistake06_applyingTwiceOrSkippingAfterACrashBetweenCommitAndApply() {
        // etcd-io/etcd#13766: the core resumes exactly after the applied index it is given.
        LocalCluster c = new LocalCluster(1, 2, 3);
        c.elect(1);
        c.core(1).propose(bytes("a"));
        c.deliverAll();
        c.hold(2);
        c.core(1).propose(bytes("b"));
        c.deliverAll();
        Ready rd = c.core(2).ready();
        assertEquals(List.of("b"), rd.committedEntries().stream().map(e -> new String(e.data())).toList(),
                "precondition: node 2's Ready commits b");
        // Node 2 persists the entry and the commit, then crashes before applying b.
        c.storages.get(2L).append(rd.entries());
        c.storages.get(2L).setHardState(rd.hardState());
        c.crash(2);
        assertEquals(List.of("a", "b"), c.appliedData(2), "after the restart b must be applied exactly once");
    }

    @Test
    void mistake07_keepingAConflictingEntryAtTheSnapshotIndex() {
        // Snapshot install races: hashicorp/raft#704, camunda#6092, eBay/NuRaft#407.
        Map<Long, MemoryStorage> s = new LinkedHashMap<>();
        s.put(1L, storageWithTerms(ids(1, 2, 3), 3, 5, 3, 3));
        s.put(2L, storageWithTerms(ids(1, 2, 3), 3, 5, 3, 3));
        s.put(3L, storageWithTerms(ids(1, 2, 3), 2, 3, 2, 2));
        LocalCluster c = new LocalCluster(t -> t, s);
        c.storages.get(1L).createSnapshotAndCompact(5, c.status(1).conf());
        assertEquals(2, c.core(3).logTerm(5), "precondition: node 3 holds a stale 5@2 at the snapshot's index");
        c.elect(1);
        c.deliverAll();
        assertEquals(1, c.deliveredWhere(type(MessageType.SNAPSHOT).and(to(3))).size(), "precondition: node 3 got the snapshot");
        assertEquals(3, c.storages.get(3L).term(5), "node 3 kept its conflicting 5@2 under the snapshot 5@3");
        assertEquals(c.logTerms(1, 5), c.logTerms(3, 5), "node 3's log does not continue the leader's");
    }

    @Test
    void mistake09_servingAReadOnTimeAloneFromALeaderThatWasDeposed() {
        // A clock-based lease would serve this read; ReadIndex asks a quorum.
        LocalCluster c = new LocalCluster(1, 2, 3);
        c.elect(1);
        c.isolate(1);
        c.tick(40, 2, 3);
        long newLeader = c.leader() == 1 ? (c.status(2).role() == Role.LEADER ? 2 : 3) : c.leader();
        c.core(newLeader).propose(bytes("w"));
        c.deliverAll();
        assertEquals(Role.LEADER, c.status(1).role(), "precondition: the old leader, not ticked, believes it leads");
        c.core(1).readIndex(9);
        c.deliverAll();
        assertTrue(c.readStates.get(1L).isEmpty(), "the deposed leader served a read that misses w");
        c.heal();
        c.tickAll(1);
        assertTrue(c.readStates.get(1L).stream().noneMatch(r -> r.context() == 9), "the stale read surfaced later");
    }

    @Test
    void mistake11_unboundedGrowthWhileNoQuorumAnswers() {
        // etcd MaxUncommittedEntriesSize: followers' disks stall; the leader's log and the
        // appends in flight must stay bounded, and writes resume once the quorum answers.
        LocalCluster c = new LocalCluster(t -> t.maxUncommittedBytes(10_000).maxInflightMsgs(4).maxMsgBytes(1_000), 1, 2, 3);
        c.elect(1);
        long start = c.status(1).lastIndex();
        int delivered = c.deliveredWhere(type(MessageType.APPEND).and(to(2))).size();
        c.hold(2);
        c.hold(3);
        int refused = 0;
        for (int i = 0; i < 1000; i++) {
            try {
                c.core(1).propose(payload(100));
            } catch (ProposalRejectedException e) {
                assertEquals(ProposalRejectedException.Reason.TOO_MUCH_UNCOMMITTED, e.reason());
                refused++;
            }
            c.deliverAll();
        }
        long grown = c.status(1).lastIndex() - start;
        assertTrue(grown <= 10_000 / 124 + 1, "the leader's log grew by " + grown + " entries of 124 bytes under a 10000-byte cap");
        assertTrue(refused >= 900, "only " + refused + " of 1000 proposals were refused");
        List<Message> toTwo = c.deliveredWhere(type(MessageType.APPEND).and(to(2)));
        List<Message> sinceStall = toTwo.subList(delivered, toTwo.size());
        assertTrue(sinceStall.size() <= 4, sinceStall.size() + " appends in flight to a silent follower, window is 4");
        assertTrue(sinceStall.stream().allMatch(m -> m.entries().size() <= 1 || m.entryBytes() <= 1_000),
                "an append exceeded maxMsgBytes");
        c.release(2);
        c.release(3);
        c.tickAll(3);
        assertEquals(c.status(1).lastIndex(), c.status(1).commit(), "the backlog did not commit once the disks recovered");
        assertDoesNotThrow(() -> c.core(1).propose(payload(100)));
    }

    @Test
    void mistake12_electionsCausedByHeartbeatsQueuedBehindAppends() {
        // Load, not failure: node 2's appends are stuck for five election timeouts; heartbeats still get through.
        LocalCluster c = new LocalCluster(1, 2, 3);
        c.elect(1);
        long term = c.status(1).term();
        for (int i = 0; i < 50; i++) {
            c.core(1).propose(payload(1000));
            for (long id = 1; id <= 3; id++) {
                c.core(id).tick();
            }
            c.deliverWhere(type(MessageType.APPEND).and(to(2)).negate());
        }
        for (long id = 1; id <= 3; id++) {
            assertEquals(term, c.status(id).term(), "node " + id + " started an election while appends were slow");
        }
        assertEquals(1, c.status(2).leaderId(), "node 2 lost its leader although heartbeats arrived");
        assertTrue(c.deliveredWhere(from(2).and(type(MessageType.PRE_VOTE).or(type(MessageType.VOTE)))).isEmpty(),
                "node 2 timed out although heartbeats arrived");
        c.deliverAll();
        c.tickAll(1);
        assertEquals(c.status(1).lastIndex(), c.status(2).lastIndex(), "node 2 did not catch up once appends flowed");
    }
}
