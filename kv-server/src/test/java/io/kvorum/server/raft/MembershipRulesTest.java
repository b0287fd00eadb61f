package io.kvorum.server.raft;

import static io.kvorum.server.raft.RaftTesting.bytes;
import static io.kvorum.server.raft.RaftTesting.from;
import static io.kvorum.server.raft.RaftTesting.ids;
import static io.kvorum.server.raft.RaftTesting.msg;
import static io.kvorum.server.raft.RaftTesting.type;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Single-server membership changes: Raft thesis §4.1, §4.2.1 (catching up new servers), §4.2.2
 * (removing the leader), one change at a time and only after a commit in the term (Ongaro,
 * raft-dev 2015), and learners. Like etcd, a change takes effect on a node when its entry is
 * applied.
 */
class MembershipRulesTest {

    private static ConfChange change(ConfChangeType type, long node) {
        return new ConfChange(type, node, null);
    }

    private static ProposalRejectedException.Reason refusal(Runnable r) {
        return assertThrows(ProposalRejectedException.class, r::run).reason();
    }

    @Test
    void confChangeIsRefusedBeforeTheLeaderCommitsAnEntryOfItsTerm() {
        // Ongaro, raft-dev 2015: a change proposed before that commit can overlap an unseen one.
        LocalCluster c = new LocalCluster(1, 2, 3);
        c.dropIf = type(MessageType.APPEND).and(from(1));
        c.elect(1);
        assertEquals(ProposalRejectedException.Reason.CONF_CHANGE_PENDING,
                refusal(() -> c.core(1).proposeConfChange(change(ConfChangeType.ADD_LEARNER, 4))),
                "a leader without a commit in its term took a membership change");
        c.dropIf = m -> false;
        c.tickAll(1);
        assertEquals(c.status(1).lastIndex(), c.status(1).commit(), "precondition: the no-op committed");
        assertDoesNotThrow(() -> c.core(1).proposeConfChange(change(ConfChangeType.ADD_LEARNER, 4)));
    }

    @Test
    void confChangeIsRefusedWhileAnEarlierOneIsPending() {
        // Thesis §4.1: "the leader ... does not begin a new change until the previous one has committed".
        LocalCluster c = new LocalCluster(1, 2, 3);
        c.elect(1);
        c.core(1).proposeConfChange(change(ConfChangeType.ADD_LEARNER, 4));
        assertEquals(ProposalRejectedException.Reason.CONF_CHANGE_PENDING,
                refusal(() -> c.core(1).proposeConfChange(change(ConfChangeType.ADD_LEARNER, 5))),
                "a second change was taken while the first was unapplied");
        c.deliverAll();
        assertEquals(Set.of(4L), c.status(1).conf().learners(), "precondition: the first change was applied");
        assertDoesNotThrow(() -> c.core(1).proposeConfChange(change(ConfChangeType.ADD_LEARNER, 5)));
    }

    @Test
    void confChangeOnAFollowerIsRefusedWithNotLeaderAndTheLeadersId() {
        LocalCluster c = new LocalCluster(1, 2, 3);
        c.elect(1);
        ProposalRejectedException e = assertThrows(ProposalRejectedException.class,
                () -> c.core(2).proposeConfChange(change(ConfChangeType.ADD_LEARNER, 4)));
        assertEquals(ProposalRejectedException.Reason.NOT_LEADER, e.reason());
        assertEquals(1, e.leaderId(), "the refusal must say where the leader is");
    }

    @Test
    void forwardedConfChangeIsNotAppendedByTheLeader() {
        // A forwarded change would bypass the checks above.
        LocalCluster c = new LocalCluster(1, 2, 3);
        c.elect(1);
        long last = c.status(1).lastIndex();
        Entry cc = new Entry(0, 0, EntryType.CONF_CHANGE, change(ConfChangeType.ADD_VOTER, 4).encode());
        c.step(msg(MessageType.PROPOSE, 2, 1, 0).entries(List.of(cc)).build());
        assertEquals(last, c.status(1).lastIndex(), "the leader appended a conf change forwarded as a proposal");
    }

    @Test
    void changesThatMakeNoSenseAreRefusedAsInvalid() {
        LocalCluster c = new LocalCluster(1, 2, 3);
        c.elect(1);
        assertEquals(ProposalRejectedException.Reason.INVALID_CHANGE,
                refusal(() -> c.core(1).proposeConfChange(change(ConfChangeType.ADD_VOTER, 2))), "adding a voter twice");
        assertEquals(ProposalRejectedException.Reason.INVALID_CHANGE,
                refusal(() -> c.core(1).proposeConfChange(change(ConfChangeType.ADD_LEARNER, 2))), "demoting by adding a learner");
        assertEquals(ProposalRejectedException.Reason.INVALID_CHANGE,
                refusal(() -> c.core(1).proposeConfChange(change(ConfChangeType.REMOVE_NODE, 9))), "removing a non-member");
        LocalCluster one = new LocalCluster(1);
        one.elect(1);
        assertEquals(ProposalRejectedException.Reason.INVALID_CHANGE,
                refusal(() -> one.core(1).proposeConfChange(change(ConfChangeType.REMOVE_NODE, 1))), "removing the last voter");
    }

    @Test
    void newMembershipTakesEffectOnEachNodeWhenItsEntryIsApplied() {
        LocalCluster c = new LocalCluster(1, 2, 3);
        c.elect(1);
        c.core(1).proposeConfChange(change(ConfChangeType.ADD_LEARNER, 4));
        c.processAll();
        assertEquals(Set.of(), c.status(1).conf().learners(), "the change took effect when merely appended");
        c.deliverAll();
        for (long id = 1; id <= 3; id++) {
            assertEquals(Set.of(4L), c.status(id).conf().learners(), "node " + id + " applied the change");
            assertEquals(Set.of(1L, 2L, 3L), c.status(id).conf().voters());
        }
    }

    @Test
    void joiningNodeLearnsTheMembershipFromTheLog() {
        LocalCluster c = new LocalCluster(1, 2, 3);
        c.elect(1);
        c.addNode(4, MemoryStorage.joining());
        c.core(1).proposeConfChange(change(ConfChangeType.ADD_LEARNER, 4));
        c.deliverAll();
        c.core(1).propose(bytes("after"));
        c.deliverAll();
        assertEquals(new ConfState(Set.of(1L, 2L, 3L), Set.of(4L)), c.status(4).conf(),
                "node 4 must learn voters and itself from the replayed log");
        assertEquals(List.of("after"), c.appliedData(4));
    }

    @Test
    void newMemberIsBroughtUpToDateWithoutWaitingForAProposal() {
        // Thesis §4.2.1: the leader replicates to a new server at once.
        LocalCluster c = new LocalCluster(1, 2, 3);
        c.elect(1);
        c.addNode(4, MemoryStorage.joining());
        c.core(1).proposeConfChange(change(ConfChangeType.ADD_LEARNER, 4));
        c.deliverAll();
        c.tickAll(30);
        assertEquals(c.status(1).lastIndex(), c.status(4).lastIndex(),
                "learner 4 got nothing in 30 ticks of an idle cluster");
    }

    @Test
    void addedVoterCountsTowardTheQuorum() {
        LocalCluster c = new LocalCluster(1, 2, 3);
        c.elect(1);
        c.addNode(4, MemoryStorage.joining());
        c.core(1).proposeConfChange(change(ConfChangeType.ADD_VOTER, 4));
        c.deliverAll();
        c.core(1).propose(bytes("x"));
        c.deliverAll();
        assertEquals(Set.of(1L, 2L, 3L, 4L), c.status(1).conf().voters());
        c.cutLink(1, 3);
        c.cutLink(1, 4);
        c.core(1).propose(bytes("y"));
        c.deliverAll();
        long y = c.status(1).lastIndex();
        assertTrue(c.status(1).commit() < y, "1 and 2 are not a majority of four voters, yet y committed");
        c.heal();
        c.cutLink(1, 3);
        c.tickAll(1);
        assertEquals(y, c.status(1).commit(), "1, 2 and 4 are a majority of four voters");
    }

    @Test
    void learnerReplicatesTheLogButItsAckDoesNotCountForCommit() {
        LocalCluster c = LocalCluster.withLearners(t -> t, ids(1, 2, 3), ids(4));
        c.elect(1);
        c.cutLink(1, 2);
        c.cutLink(1, 3);
        c.core(1).propose(bytes("x"));
        c.deliverAll();
        long x = c.status(1).lastIndex();
        assertEquals(x, c.status(4).lastIndex(), "learner 4 must receive x");
        assertTrue(c.status(1).commit() < x, "leader plus learner 4 committed x in voters {1,2,3}");
    }

    @Test
    void learnerDoesNotCountForCheckQuorum() {
        LocalCluster c = LocalCluster.withLearners(t -> t, ids(1, 2, 3), ids(4));
        c.elect(1);
        c.cutLink(1, 2);
        c.cutLink(1, 3);
        c.tick(2 * 10, 1, 4);
        assertNotEquals(Role.LEADER, c.status(1).role(), "a leader heard only by learner 4 kept leading");
    }

    @Test
    void promotedLearnerCountsTowardTheQuorum() {
        LocalCluster c = LocalCluster.withLearners(t -> t, ids(1, 2, 3), ids(4));
        c.elect(1);
        c.core(1).proposeConfChange(change(ConfChangeType.ADD_VOTER, 4));
        c.deliverAll();
        assertEquals(Set.of(1L, 2L, 3L, 4L), c.status(1).conf().voters());
        assertEquals(Set.of(), c.status(4).conf().learners(), "node 4 knows it was promoted");
        c.cutLink(1, 3);
        c.core(1).propose(bytes("z"));
        c.deliverAll();
        assertEquals(c.status(1).lastIndex(), c.status(1).commit(), "z is on 1, 2 and 4: three of four voters");
    }

    @Test
    void removedLeaderStepsDownOnceItsRemovalIsAppliedAndTheOthersCarryOn() {
        // Thesis §4.2.2: the leader manages the cluster until the change commits, then steps down.
        LocalCluster c = new LocalCluster(1, 2, 3);
        c.elect(1);
        c.core(1).proposeConfChange(change(ConfChangeType.REMOVE_NODE, 1));
        c.deliverAll();
        assertNotEquals(Role.LEADER, c.status(1).role(), "removed leader still leads");
        for (long id = 2; id <= 3; id++) {
            assertEquals(Set.of(2L, 3L), c.status(id).conf().voters(), "node " + id + " did not apply the removal");
        }
        c.tick(40, 2, 3);
        long leader = c.status(2).role() == Role.LEADER ? 2 : 3;
        assertEquals(Role.LEADER, c.status(leader).role(), "nodes 2 and 3 elected no leader");
        c.core(leader).propose(bytes("without-1"));
        c.deliverAll();
        assertEquals(List.of("without-1"), c.appliedData(2));
        assertEquals(List.of("without-1"), c.appliedData(3));
    }
}
