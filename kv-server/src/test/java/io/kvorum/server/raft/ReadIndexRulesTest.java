package io.kvorum.server.raft;

import static io.kvorum.server.raft.RaftTesting.allMessages;
import static io.kvorum.server.raft.RaftTesting.bytes;
import static io.kvorum.server.raft.RaftTesting.from;
import static io.kvorum.server.raft.RaftTesting.ids;
import static io.kvorum.server.raft.RaftTesting.msg;
import static io.kvorum.server.raft.RaftTesting.ofType;
import static io.kvorum.server.raft.RaftTesting.to;
import static io.kvorum.server.raft.RaftTesting.type;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Linearizable reads by ReadIndex: Raft thesis §6.4; etcd-io/etcd#7331 (no read before the leader's first commit); no
 * clock-based leases. A read is served
 * by the {@link ReadState} a Ready hands out; its index is the commit index the read must wait
 * for.
 */
class ReadIndexRulesTest {

    private static LocalCluster elected() {
        LocalCluster c = new LocalCluster(1, 2, 3);
        c.elect(1);
        c.core(1).propose(bytes("x"));
        c.deliverAll();
        return c;
    }

    @Test
    void readIndexIsParkedUntilTheLeaderCommitsAnEntryOfItsTerm() {
        // Thesis §6.4 step 1; etcd-io/etcd#7331: before that commit, the leader's commit index may be stale.
        LocalCluster c = new LocalCluster(1, 2, 3);
        c.dropIf = type(MessageType.APPEND).and(from(1));
        c.elect(1);
        long noOp = c.status(1).lastIndex();
        assertTrue(c.status(1).commit() < noOp, "precondition: the new leader's no-op is not committed");
        c.core(1).readIndex(7);
        c.tickAll(3);
        assertTrue(c.readStates.get(1L).isEmpty(),
                "a read was served before the leader committed in its term: " + c.readStates.get(1L));
        c.dropIf = m -> false;
        c.tickAll(1);
        assertEquals(List.of(new ReadState(7, noOp)), c.readStates.get(1L),
                "the parked read must be served at the commit that includes the no-op");
    }

    @Test
    void readIndexRightAfterALeadershipTransferIsParkedUntilTheNewLeaderCommitsInItsTerm() {
        // tikv/tikv#9239: the transferee's commit index is the old leader's, possibly behind.
        LocalCluster c = elected();
        c.dropIf = type(MessageType.APPEND).and(from(2));
        c.core(1).transferLeadership(2);
        c.deliverAll();
        assertEquals(Role.LEADER, c.status(2).role(), "precondition: the transfer to 2 succeeded");
        long noOp = c.status(2).lastIndex();
        c.tick(1, 2);
        c.core(2).readIndex(8);
        c.core(3).readIndex(9);
        c.tickAll(3);
        assertTrue(c.readStates.get(2L).isEmpty(), "new leader served a read before committing in its term");
        assertTrue(c.readStates.get(3L).isEmpty(), "new leader answered a follower's read before committing in its term");
        c.dropIf = m -> false;
        c.tickAll(1);
        assertEquals(List.of(new ReadState(8, noOp)), c.readStates.get(2L));
        assertEquals(List.of(new ReadState(9, noOp)), c.readStates.get(3L));
    }

    @Test
    void readIndexIsTheLeadersCommitIndexWhenTheReadArrives() {
        LocalCluster c = elected();
        long commit = c.status(1).commit();
        c.core(1).readIndex(3);
        c.deliverAll();
        assertEquals(List.of(new ReadState(3, commit)), c.readStates.get(1L));
    }

    @Test
    void readIsServedOnlyAfterAMajorityConfirmsTheLeadershipNotOnTime() {
        // Thesis §6.4 step 3: ReadIndex needs no clock, so no time passes here at all.
        LocalCluster c = elected();
        c.isolate(1);
        c.core(1).readIndex(5);
        c.deliverAll();
        assertTrue(c.readStates.get(1L).isEmpty(), "a leader cut off from every follower served a read");
        c.heal();
        c.core(1).readIndex(6);
        c.deliverAll();
        assertTrue(c.readStates.get(1L).isEmpty(), "read 6 started a round while read 5's was out");
        c.tickAll(1);
        long commit = c.status(1).commit();
        assertEquals(List.of(new ReadState(5, commit), new ReadState(6, commit)), c.readStates.get(1L),
                "the heartbeat starts read 6's round, and answers to it confirm the earlier round as well");
    }

    @Test
    void readsArrivingWhileARoundIsOutShareTheNextRound() {
        LocalCluster c = elected();
        c.core(1).readIndex(1);
        long first = ofType(c.flush(1).messages(), MessageType.HEARTBEAT).get(0).context();
        c.core(1).readIndex(2);
        c.core(1).readIndex(3);
        assertTrue(ofType(c.flush(1).messages(), MessageType.HEARTBEAT).isEmpty(),
                "reads 2 and 3 started a round while read 1's was out");
        c.deliverAll();
        List<Long> served = c.readStates.get(1L).stream().map(ReadState::context).toList();
        assertEquals(List.of(1L, 2L, 3L), served, "read 1's round completed and reads 2 and 3 shared the next");
        long rounds = c.deliveredWhere(type(MessageType.HEARTBEAT).and(from(1))).stream()
                .mapToLong(Message::context).filter(r -> r > first).distinct().count();
        assertEquals(1, rounds, "reads 2 and 3 took one round between them");
    }

    @Test
    void readWhoseConfirmationRoundWasLostIsConfirmedByTheNextHeartbeats() {
        LocalCluster c = elected();
        c.dropIf = type(MessageType.HEARTBEAT);
        c.core(1).readIndex(5);
        c.deliverAll();
        c.dropIf = m -> false;
        c.tickAll(3);
        assertEquals(1, c.readStates.get(1L).size(), "read 5 still waits after three heartbeat rounds");
    }

    @Test
    void followerReadAsksTheLeaderAndIsServedAtTheLeadersCommitIndex() {
        // Thesis §6.4: a follower gets the read index from the leader, then serves from its own copy.
        LocalCluster c = elected();
        long commit = c.status(1).commit();
        c.core(3).readIndex(11);
        List<Message> asked = c.peek(from(3));
        assertEquals(1, asked.size(), "one READ_INDEX to the leader: " + asked);
        assertEquals(MessageType.READ_INDEX, asked.get(0).type());
        assertEquals(1, asked.get(0).to());
        assertEquals(List.of(11L), asked.get(0).contexts());
        c.deliverAll();
        assertEquals(List.of(new ReadState(11, commit)), c.readStates.get(3L));
    }

    @Test
    void readsArrivingBetweenTwoReadysShareOneHeartbeatRound() {
        LocalCluster c = elected();
        c.core(1).readIndex(1);
        c.core(1).readIndex(2);
        c.core(1).readIndex(3);
        Ready rd = c.flush(1);
        List<Message> heartbeats = ofType(rd.messages(), MessageType.HEARTBEAT);
        assertEquals(2, heartbeats.size(), "three reads must share one heartbeat per follower: " + heartbeats);
        assertNotEquals(0, heartbeats.get(0).context(), "the round must be named in the heartbeat");
        assertEquals(heartbeats.get(0).context(), heartbeats.get(1).context(), "both followers confirm one round");
        c.deliverAll();
        assertEquals(3, c.readStates.get(1L).size());
        assertEquals(1, c.readStates.get(1L).stream().map(ReadState::index).distinct().count());
    }

    @Test
    void aFollowerForwardsTheReadsArrivingWhileItsRequestIsOutInOneRequest() {
        LocalCluster c = elected();
        c.core(3).readIndex(11);
        assertEquals(1, c.peek(type(MessageType.READ_INDEX)).size(), "precondition: read 11 was forwarded");
        c.core(3).readIndex(12);
        c.core(3).readIndex(13);
        assertEquals(1, c.peek(type(MessageType.READ_INDEX)).size(), "reads 12 and 13 went out while 11 was unanswered");
        c.deliverAll();
        assertEquals(List.of(11L, 12L, 13L), c.readStates.get(3L).stream().map(ReadState::context).toList());
        List<List<Long>> asked = c.deliveredWhere(type(MessageType.READ_INDEX)).stream().map(Message::contexts).toList();
        assertEquals(List.of(List.of(11L), List.of(12L, 13L)), asked, "12 and 13 must share one request, after 11's answer");
    }

    @Test
    void aFollowerWhoseForwardedReadWentUnansweredForwardsTheNextAfterAHeartbeatInterval() {
        LocalCluster c = elected();
        c.dropIf = type(MessageType.READ_INDEX);
        c.core(3).readIndex(11);
        c.deliverAll();
        c.dropIf = m -> false;
        c.core(3).readIndex(12);
        c.deliverAll();
        assertTrue(c.readStates.get(3L).isEmpty(), "read 12 went out while 11 was unanswered");
        c.tickAll(1);
        assertEquals(List.of(12L), c.readStates.get(3L).stream().map(ReadState::context).toList(),
                "a heartbeat interval later, read 12 must be forwarded and served (11 was lost: its caller retries)");
    }

    @Test
    void heartbeatAnswerOfAnotherRoundDoesNotConfirmARead() {
        LocalCluster c = elected();
        long term = c.status(1).term();
        c.core(1).readIndex(1);
        Ready rd = c.flush(1);
        long round = ofType(rd.messages(), MessageType.HEARTBEAT).get(0).context();
        c.dropAll();
        c.step(msg(MessageType.HEARTBEAT_RESPONSE, 2, 1, term).build());
        c.step(msg(MessageType.HEARTBEAT_RESPONSE, 3, 1, term).build());
        assertTrue(c.readStates.get(1L).isEmpty(), "answers to plain heartbeats (round 0) confirmed a read");
        c.step(msg(MessageType.HEARTBEAT_RESPONSE, 2, 1, term).context(round).build());
        assertEquals(1, c.readStates.get(1L).size(), "leader plus node 2 confirming the round is a majority");
    }

    @Test
    void readIndexIsRefusedWithNoLeaderWhenNoLeaderIsKnown() {
        LocalCluster c = new LocalCluster(t -> t, Map.of(2L, MemoryStorage.bootstrap(ids(1, 2, 3))));
        ProposalRejectedException e = assertThrows(ProposalRejectedException.class, () -> c.core(2).readIndex(1));
        assertEquals(ProposalRejectedException.Reason.NO_LEADER, e.reason());
    }

    @Test
    void learnersHeartbeatAnswerDoesNotConfirmARead() {
        LocalCluster c = LocalCluster.withLearners(t -> t, ids(1, 2, 3), ids(4));
        c.elect(1);
        c.cutLink(1, 2);
        c.cutLink(1, 3);
        c.core(1).readIndex(5);
        c.deliverAll();
        assertTrue(c.deliveredWhere(type(MessageType.HEARTBEAT_RESPONSE).and(from(4))).stream()
                .anyMatch(m -> m.context() != 0), "precondition: learner 4 answered the read round");
        assertTrue(c.readStates.get(1L).isEmpty(), "leader plus learner 4 confirmed a read in voters {1,2,3}");
    }

    @Test
    void singleVoterLeaderServesAReadWithoutAHeartbeatRound() {
        LocalCluster c = new LocalCluster(1);
        c.elect(1);
        long commit = c.status(1).commit();
        c.core(1).readIndex(3);
        Ready rd = c.flush(1);
        assertEquals(List.of(new ReadState(3, commit)), rd.readStates());
        assertTrue(allMessages(rd).isEmpty(), "a single voter has nobody to ask: " + allMessages(rd));
    }

    @Test
    void pendingReadsAreDroppedWhenLeadershipIsLost() {
        LocalCluster c = elected();
        c.isolate(1);
        c.core(1).readIndex(5);
        c.deliverAll();
        c.step(msg(MessageType.APPEND_RESPONSE, 2, 1, c.status(1).term() + 1).build());
        assertEquals(Role.FOLLOWER, c.status(1).role());
        c.heal();
        c.tickAll(30);
        assertTrue(c.readStates.get(1L).isEmpty(), "a read of a deposed leader was served later");
    }
}
