package io.kvorum.server.raft;

import static io.kvorum.server.raft.RaftTesting.allMessages;
import static io.kvorum.server.raft.RaftTesting.bytes;
import static io.kvorum.server.raft.RaftTesting.from;
import static io.kvorum.server.raft.RaftTesting.ids;
import static io.kvorum.server.raft.RaftTesting.msg;
import static io.kvorum.server.raft.RaftTesting.ofType;
import static io.kvorum.server.raft.RaftTesting.type;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Leadership transfer: Raft thesis §3.10; a transfer bypasses check-quorum leases (etcd-io/etcd#8501).
 */
class LeadershipTransferRulesTest {

    private static ProposalRejectedException.Reason refusal(Runnable r) {
        return assertThrows(ProposalRejectedException.class, r::run).reason();
    }

    @Test
    void transferSendsTimeoutNowAtOnceWhenTheTargetIsCaughtUp() {
        // Thesis §3.10 step 2: "the prior leader sends a TimeoutNow request to the target server".
        LocalCluster c = new LocalCluster(1, 2, 3);
        c.elect(1);
        long term = c.status(1).term();
        c.core(1).transferLeadership(2);
        List<Message> tn = c.peek(type(MessageType.TIMEOUT_NOW));
        assertEquals(1, tn.size(), "one TIMEOUT_NOW expected: " + tn);
        assertEquals(2, tn.get(0).to());
        c.deliverAll();
        assertEquals(2, c.leader(), "the target must win");
        assertEquals(term + 1, c.status(2).term(), "the target campaigns at the next term");
    }

    @Test
    void transferToALaggingTargetFirstBringsItsLogUpToDate() {
        // Thesis §3.10 step 1: "the prior leader ... ensures the target server's log matches its own".
        LocalCluster c = new LocalCluster(1, 2, 3);
        c.elect(1);
        c.isolate(3);
        for (int i = 0; i < 5; i++) {
            c.core(1).propose(bytes("p" + i));
        }
        c.deliverAll();
        c.heal();
        long last = c.status(1).lastIndex();
        c.core(1).transferLeadership(3);
        assertTrue(c.peek(type(MessageType.TIMEOUT_NOW)).isEmpty(), "TIMEOUT_NOW sent to a target that lacks entries");
        c.tick(1, 1);
        assertEquals(3, c.leader(), "the target must be caught up and win");
        int caughtUp = c.delivered.indexOf(c.deliveredWhere(type(MessageType.APPEND_RESPONSE).and(from(3))
                .and(m -> !m.reject() && m.index() >= last)).get(0));
        int timeoutNow = c.delivered.indexOf(c.deliveredWhere(type(MessageType.TIMEOUT_NOW)).get(0));
        assertTrue(caughtUp < timeoutNow, "TIMEOUT_NOW was delivered before node 3 acknowledged index " + last);
        assertEquals(List.of("p0", "p1", "p2", "p3", "p4"), c.appliedData(3));
    }

    @Test
    void transferTargetWinsEvenWhileTheOtherVotersAreInTheLeadersLease() {
        // A transfer must bypass check-quorum leases, or it could never happen on a healthy cluster.
        LocalCluster c = new LocalCluster(1, 2, 3);
        c.elect(1);
        c.tickAll(3);
        c.core(2).campaign();
        c.deliverAll();
        assertEquals(1, c.leader(), "precondition: an ordinary campaign by 2 fails while 1's lease holds");
        c.tickAll(1);
        c.core(1).transferLeadership(2);
        c.deliverAll();
        assertEquals(2, c.leader(), "the transfer target lost although 1 handed over leadership");
    }

    @Test
    void timeoutNowMakesTheTargetCampaignAtOnceWithoutPreVote() {
        LocalCluster c = new LocalCluster(t -> t, Map.of(2L, MemoryStorage.bootstrap(ids(1, 2, 3))));
        Ready rd = c.step(msg(MessageType.TIMEOUT_NOW, 1, 2, 1).build());
        assertEquals(Role.CANDIDATE, c.status(2).role(), "TIMEOUT_NOW must start a real election");
        assertEquals(2, c.status(2).term());
        assertEquals(2, ofType(allMessages(rd), MessageType.VOTE).size(), "vote requests: " + allMessages(rd));
        assertTrue(ofType(allMessages(rd), MessageType.PRE_VOTE).isEmpty(), "a transfer skips the pre-vote");
    }

    @Test
    void learnerIgnoresTimeoutNow() {
        LocalCluster c = LocalCluster.withLearners(t -> t, ids(1, 2, 3), ids(4));
        c.step(msg(MessageType.TIMEOUT_NOW, 1, 4, 1).build());
        assertEquals(Role.FOLLOWER, c.status(4).role());
        assertEquals(1, c.status(4).term(), "learner campaigned on TIMEOUT_NOW");
        assertTrue(c.peek(from(4)).isEmpty(), "learner sent " + c.peek(from(4)));
    }

    @Test
    void leaderRefusesProposalsAndChangesWhileTransferring() {
        // Thesis §3.10: "the prior leader stops accepting new client requests" during the transfer.
        LocalCluster c = new LocalCluster(1, 2, 3);
        c.elect(1);
        c.isolate(2);
        c.core(1).propose(bytes("x"));
        c.deliverAll();
        c.core(1).transferLeadership(2);
        ProposalRejectedException e = assertThrows(ProposalRejectedException.class, () -> c.core(1).propose(bytes("y")));
        assertEquals(ProposalRejectedException.Reason.TRANSFERRING, e.reason());
        assertEquals(ProposalRejectedException.Reason.TRANSFERRING,
                refusal(() -> c.core(1).proposeConfChange(new ConfChange(ConfChangeType.ADD_LEARNER, 4, null))));
    }

    @Test
    void unfinishedTransferIsAbandonedAfterAnElectionTimeout() {
        // Thesis §3.10: "If the transfer does not complete within an election timeout, the prior leader aborts
        // the transfer and resumes accepting client requests."
        LocalCluster c = new LocalCluster(1, 2, 3);
        c.elect(1);
        c.isolate(2);
        c.core(1).propose(bytes("x"));
        c.deliverAll();
        c.core(1).transferLeadership(2);
        c.tick(9, 1, 3);
        assertEquals(ProposalRejectedException.Reason.TRANSFERRING, refusal(() -> c.core(1).propose(bytes("y"))),
                "the transfer was abandoned before an election timeout passed");
        c.tick(1, 1, 3);
        assertDoesNotThrow(() -> c.core(1).propose(bytes("z")), "transfer not abandoned after an election timeout");
        c.deliverAll();
        assertEquals(1, c.leader());
        assertEquals(List.of("x", "z"), c.appliedData(3));
    }

    @Test
    void transferToANonVoterIsRefused() {
        LocalCluster c = LocalCluster.withLearners(t -> t, ids(1, 2, 3), ids(4));
        c.elect(1);
        assertEquals(ProposalRejectedException.Reason.INVALID_CHANGE, refusal(() -> c.core(1).transferLeadership(4)));
        assertEquals(ProposalRejectedException.Reason.INVALID_CHANGE, refusal(() -> c.core(1).transferLeadership(9)));
    }

    @Test
    void transferIsRefusedOnAFollower() {
        LocalCluster c = new LocalCluster(1, 2, 3);
        c.elect(1);
        assertEquals(ProposalRejectedException.Reason.NOT_LEADER, refusal(() -> c.core(2).transferLeadership(3)));
    }
}
