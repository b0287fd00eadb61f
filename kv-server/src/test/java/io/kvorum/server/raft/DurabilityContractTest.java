package io.kvorum.server.raft;

import static io.kvorum.server.raft.RaftTesting.bytes;
import static io.kvorum.server.raft.RaftTesting.entries;
import static io.kvorum.server.raft.RaftTesting.from;
import static io.kvorum.server.raft.RaftTesting.ids;
import static io.kvorum.server.raft.RaftTesting.msg;
import static io.kvorum.server.raft.RaftTesting.ofType;
import static io.kvorum.server.raft.RaftTesting.storageWithTerms;
import static io.kvorum.server.raft.RaftTesting.to;
import static io.kvorum.server.raft.RaftTesting.type;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link Ready} (etcd-io/etcd#7317, #13766): what is answered is durable first; term and
 * vote are one record; acks of storage writes that were overtaken are ignored; the leader counts
 * only its own durable entries; a restart resumes after the applied index. Raft paper Figure 2:
 * "Persistent state on all servers (Updated on stable storage before responding to RPCs)".
 */
class DurabilityContractTest {

    private static LocalCluster lone(long id, MemoryStorage s, java.util.function.UnaryOperator<TestConfig> cfg) {
        return new LocalCluster(cfg, Map.of(id, s));
    }

    private static Message single(List<Message> msgs, String what) {
        assertEquals(1, msgs.size(), "expected exactly one " + what + ", got " + msgs);
        return msgs.get(0);
    }

    @Test
    void voteGrantLeavesOnlyAfterTheVoteIsPersisted() {
        LocalCluster c = lone(1, MemoryStorage.bootstrap(ids(1, 2, 3)), t -> t);
        c.core(1).step(msg(MessageType.VOTE, 2, 1, 2).index(3).logTerm(1).build());
        Ready rd = c.core(1).ready();
        assertTrue(ofType(rd.messages(), MessageType.VOTE_RESPONSE).isEmpty(),
                "a vote grant may leave before the vote is on disk: " + rd.messages());
        Message grant = single(ofType(rd.messagesAfterPersist(), MessageType.VOTE_RESPONSE), "grant after persist");
        assertFalse(grant.reject());
        assertEquals(new HardState(2, 2, 3), rd.hardState(), "the grant's Ready must persist the vote it promises");
        assertTrue(rd.mustSync(), "a vote must be synced before it is sent");
        c.process(1, rd);
    }

    @Test
    void appendAckLeavesOnlyAfterTheEntriesArePersisted() {
        LocalCluster c = lone(2, MemoryStorage.bootstrap(ids(1, 2, 3)), t -> t);
        c.core(2).step(msg(MessageType.APPEND, 1, 2, 2).index(3).logTerm(1).entries(entries(4, 2, 2)).commit(3).build());
        Ready rd = c.core(2).ready();
        assertTrue(ofType(rd.messages(), MessageType.APPEND_RESPONSE).isEmpty(),
                "an append ack may leave before the entries are on disk: " + rd.messages());
        Message ack = single(ofType(rd.messagesAfterPersist(), MessageType.APPEND_RESPONSE), "ack after persist");
        assertEquals(5, ack.index());
        assertEquals(entries(4, 2, 2), rd.entries(), "the ack's Ready must persist the entries it acknowledges");
        assertTrue(rd.mustSync());
        c.process(2, rd);
    }

    @Test
    void voterRecordsTheNewTermAndItsVoteInOneHardState() {
        // hashicorp/raft#661: term and vote written apart can lose a vote in a crash between them.
        LocalCluster c = lone(1, MemoryStorage.bootstrap(ids(1, 2, 3)), t -> t);
        Ready rd = c.step(msg(MessageType.VOTE, 3, 1, 4).index(3).logTerm(1).build());
        assertEquals(new HardState(4, 3, 3), rd.hardState(), "term 4 and the vote for 3 must be one record");
        assertFalse(c.core(1).hasReady(), "a second hard state followed: term and vote were split");
    }

    @Test
    void candidateRecordsItsNewTermAndItsSelfVoteInOneHardState() {
        LocalCluster c = lone(1, MemoryStorage.bootstrap(ids(1, 2, 3)), t -> t.plainRaft());
        c.core(1).campaign();
        Ready rd = c.flush(1);
        assertEquals(new HardState(2, 1, 3), rd.hardState());
    }

    @Test
    void candidateCountsItsOwnVoteOnlyOnceItIsPersisted() {
        LocalCluster c = lone(1, MemoryStorage.bootstrap(ids(1, 2, 3)), t -> t.plainRaft());
        c.core(1).campaign();
        Ready rd = c.core(1).ready();
        c.core(1).step(msg(MessageType.VOTE_RESPONSE, 2, 1, 2).build());
        assertEquals(Role.CANDIDATE, c.status(1).role(),
                "node 2's grant plus an undurable self-vote made a majority");
        c.process(1, rd);
        assertEquals(Role.LEADER, c.status(1).role(), "once the self-vote is durable, 1 and 2 are a majority");
    }

    @Test
    void staleStorageAckDoesNotMarkTheEntriesThatReplacedItsOwnStable() {
        // An ack of a write from an older term says nothing about the current log: ignore it.
        LocalCluster c = lone(2, MemoryStorage.bootstrap(ids(1, 2, 3)), t -> t);
        c.core(2).step(msg(MessageType.APPEND, 1, 2, 2).index(3).logTerm(1).entries(entries(4, 2)).commit(3).build());
        Ready first = c.core(2).ready();
        // While 4@2 is being written, a new leader of term 3 replaces it with 4@3 and 5@3.
        c.core(2).step(msg(MessageType.APPEND, 3, 2, 3).index(3).logTerm(1).entries(entries(4, 3, 3)).commit(3).build());
        c.process(2, first);
        assertTrue(c.core(2).hasReady(), "the ack of the write of 4@2 marked 4@3 stable: it would never be written");
        Ready second = c.flush(2);
        assertEquals(entries(4, 3, 3), second.entries(), "4@3 and 5@3 must be written after the stale write of 4@2");
        assertEquals(5, single(ofType(second.messagesAfterPersist(), MessageType.APPEND_RESPONSE), "ack of 5@3").index());
        assertEquals(List.of(3L, 3L), List.of(c.storages.get(2L).term(4), c.storages.get(2L).term(5)),
                "storage must end with the new leader's entries");
    }

    @Test
    void staleStorageAckOfALongerWriteDoesNotMarkTheShorterReplacementStable() {
        LocalCluster c = lone(2, MemoryStorage.bootstrap(ids(1, 2, 3)), t -> t);
        c.core(2).step(msg(MessageType.APPEND, 1, 2, 2).index(3).logTerm(1).entries(entries(4, 2, 2)).commit(3).build());
        Ready first = c.core(2).ready();
        c.core(2).step(msg(MessageType.APPEND, 3, 2, 3).index(3).logTerm(1).entries(entries(4, 3)).commit(3).build());
        c.process(2, first);
        Ready second = c.flush(2);
        assertEquals(entries(4, 3), second.entries(), "4@3 must be written after the stale write of 4@2..5@2");
        assertEquals(4, c.storages.get(2L).lastIndex(), "the stale 5@2 is still on disk");
        assertEquals(3, c.storages.get(2L).term(4));
    }

    @Test
    void deposedLeadersStaleStorageAckDoesNotMarkTheNewLeadersEntriesStable() {
        LocalCluster c = lone(1, MemoryStorage.bootstrap(ids(1, 2, 3)), t -> t.plainRaft());
        c.core(1).campaign();
        c.flush(1);
        c.step(msg(MessageType.VOTE_RESPONSE, 2, 1, 2).build());
        assertEquals(Role.LEADER, c.status(1).role());
        c.core(1).propose(bytes("x"));
        Ready mine = c.core(1).ready();
        assertEquals(List.of(5L), mine.entries().stream().map(Entry::index).toList(), "precondition: x is 5@2");
        // While the leader writes x, leader 3 of term 3 replaces 4@2 and 5@2 with 4@3 and 5@3.
        c.core(1).step(msg(MessageType.APPEND, 3, 1, 3).index(3).logTerm(1).entries(entries(4, 3, 3)).commit(3).build());
        c.process(1, mine);
        assertEquals(Role.FOLLOWER, c.status(1).role());
        Ready next = c.flush(1);
        assertEquals(entries(4, 3, 3), next.entries(), "the new leader's entries were taken as written by the old write");
        assertEquals(3, c.storages.get(1L).term(5), "the deposed leader's x is still on disk at index 5");
    }

    @Test
    void leaderDoesNotCountItselfForEntriesNotYetOnItsDisk() {
        // The leader may send entries while writing them, but its own copy counts only once durable.
        LocalCluster c = new LocalCluster(1, 2, 3);
        c.elect(1);
        c.core(1).propose(bytes("x"));
        Ready rd = c.core(1).ready();
        long x = rd.entries().get(0).index();
        c.sendNow(rd);
        c.deliverWhere(type(MessageType.APPEND).and(to(2)).or(type(MessageType.APPEND_RESPONSE).and(from(2))));
        assertEquals(x, c.status(1).progress().get(2L).match(), "precondition: node 2 acknowledged x");
        assertTrue(c.status(1).commit() < x,
                "leader + node 2 is a majority only if the leader's copy of x is durable, and it is not yet");
        c.persistAndAdvance(1, rd);
        assertEquals(x, c.status(1).commit(), "once x is durable on the leader, the leader and node 2 commit it");
    }

    @Test
    void singleVoterLeaderCommitsOnlyWhatItHasPersisted() {
        LocalCluster c = new LocalCluster(1);
        c.elect(1);
        c.core(1).propose(bytes("x"));
        Ready rd = c.core(1).ready();
        long x = rd.entries().get(0).index();
        assertTrue(rd.committedEntries().stream().noneMatch(e -> e.index() == x), "x handed out for applying before it is durable");
        assertTrue(rd.hardState() == null || rd.hardState().commit() < x, "commit covers x before it is durable");
        c.process(1, rd);
        Ready next = c.flush(1);
        assertEquals(List.of(x), next.committedEntries().stream().map(Entry::index).toList());
    }

    @Test
    void noFurtherReadyIsHandedOutBeforeTheLastOneIsAdvanced() {
        LocalCluster c = new LocalCluster(1, 2, 3);
        c.elect(1);
        c.core(1).propose(bytes("x"));
        Ready rd = c.core(1).ready();
        c.core(1).propose(bytes("y"));
        assertFalse(c.core(1).hasReady(), "hasReady while a Ready is being processed");
        assertThrows(IllegalStateException.class, () -> c.core(1).ready());
        c.process(1, rd);
        assertTrue(c.core(1).hasReady(), "y waits for the next Ready");
    }

    @Test
    void readyWithOnlyMessagesNeedsNoSync() {
        LocalCluster c = new LocalCluster(1, 2, 3);
        c.elect(1);
        c.core(1).tick();
        Ready rd = c.flush(1);
        assertFalse(ofType(rd.messages(), MessageType.HEARTBEAT).isEmpty());
        assertFalse(rd.mustSync(), "a Ready of heartbeats only asked for an fsync");
    }

    @Test
    void restartedVoterRemembersItsVoteAndDoesNotVoteTwiceInATerm() {
        LocalCluster c = lone(1, MemoryStorage.bootstrap(ids(1, 2, 3)), t -> t);
        c.step(msg(MessageType.VOTE, 2, 1, 2).index(3).logTerm(1).build());
        c.crash(1);
        assertEquals(2, c.status(1).term());
        assertEquals(2, c.status(1).vote(), "the vote for 2 was lost in the restart");
        Ready rd = c.step(msg(MessageType.VOTE, 3, 1, 2).index(3).logTerm(1).build());
        assertTrue(single(ofType(RaftTesting.allMessages(rd), MessageType.VOTE_RESPONSE), "answer to 3").reject(),
                "a restarted voter voted twice in term 2");
    }

    @Test
    void restartHandsOutOnlyEntriesAfterTheAppliedIndex() {
        // etcd-io/etcd#13766: the node persists the applied index with the state; the core must honour it.
        LocalCluster c = new LocalCluster(1, 2, 3);
        c.elect(1);
        c.core(1).propose(bytes("a"));
        c.core(1).propose(bytes("b"));
        c.deliverAll();
        c.tickAll(1);
        List<Entry> before = List.copyOf(c.applied.get(2L));
        c.crash(2);
        assertEquals(before, c.applied.get(2L), "the restart handed out already applied entries again");
        c.core(1).propose(bytes("c"));
        c.deliverAll();
        List<Entry> after = c.applied.get(2L);
        for (int i = 0; i < after.size(); i++) {
            assertEquals(i + 1, after.get(i).index(), "node 2 applied out of order or twice: " + after);
        }
        assertEquals(List.of("a", "b", "c"), c.appliedData(2));
    }

    @Test
    void restartWithStorageAloneKeepsEverythingPersisted() {
        LocalCluster c = lone(2, storageWithTerms(ids(1, 2, 3), 2, 3), t -> t);
        c.step(msg(MessageType.APPEND, 1, 2, 2).index(3).logTerm(1).entries(entries(4, 2, 2)).commit(4).build());
        c.crash(2);
        assertEquals(2, c.status(2).term());
        assertEquals(5, c.status(2).lastIndex(), "acknowledged entries lost in a restart");
        assertEquals(4, c.status(2).commit(), "persisted commit lost in a restart");
    }
}
