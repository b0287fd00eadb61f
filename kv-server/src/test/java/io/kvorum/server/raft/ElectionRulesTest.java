package io.kvorum.server.raft;

import static io.kvorum.server.raft.RaftTesting.allMessages;
import static io.kvorum.server.raft.RaftTesting.confEntry;
import static io.kvorum.server.raft.RaftTesting.from;
import static io.kvorum.server.raft.RaftTesting.ids;
import static io.kvorum.server.raft.RaftTesting.msg;
import static io.kvorum.server.raft.RaftTesting.ofType;
import static io.kvorum.server.raft.RaftTesting.storage;
import static io.kvorum.server.raft.RaftTesting.storageWithTerms;
import static io.kvorum.server.raft.RaftTesting.to;
import static io.kvorum.server.raft.RaftTesting.type;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Leader election: Raft paper §5.1, §5.2, §5.4.1; thesis §4.2.3 (disruptive servers), §9.6
 * (pre-vote); check-quorum; learners. Node 1 of voters {1,2,3} unless said otherwise; the
 * bootstrap entries 1..n are at term 1.
 */
class ElectionRulesTest {

    /** A cluster in which only {@code id} runs; the other voters exist only as message addresses. */
    private static LocalCluster lone(long id, MemoryStorage s, UnaryOperator<TestConfig> cfg) {
        return new LocalCluster(cfg, Map.of(id, s));
    }

    private static MemoryStorage founding(long... voters) {
        return MemoryStorage.bootstrap(ids(voters));
    }

    private static Message single(List<Message> msgs, String what) {
        assertEquals(1, msgs.size(), "expected exactly one " + what + ", got " + msgs);
        return msgs.get(0);
    }

    // ---------------------------------------------------------------- timeouts and campaigns

    @Test
    void electionTimeoutIsRandomBetweenOneAndTwoBaseTimeouts() {
        // §5.2: "election timeouts are chosen randomly from a fixed interval" so split votes are rare.
        Set<Integer> seen = new TreeSet<>();
        for (long seed = 1; seed <= 40; seed++) {
            long sd = seed;
            LocalCluster c = lone(1, founding(1, 2, 3), t -> t.plainRaft().seed(sd));
            int ticks = 0;
            while (c.status(1).role() == Role.FOLLOWER) {
                c.core(1).tick();
                ticks++;
                assertTrue(ticks < 100, "follower never timed out (seed " + seed + ")");
            }
            assertTrue(ticks >= 10 && ticks < 20,
                    "election timeout of " + ticks + " ticks is outside [10, 20) for base 10 (seed " + seed + ")");
            seen.add(ticks);
        }
        assertTrue(seen.size() > 3, "timeouts are not randomized across seeds: " + seen);
    }

    @Test
    void followerThatHearsNothingBecomesCandidateRaisesItsTermVotesForItselfAndAsksEveryVoter() {
        // §5.2: "a follower increments its current term ..., votes for itself and issues RequestVote RPCs".
        LocalCluster c = lone(1, founding(1, 2, 3), t -> t.plainRaft());
        for (int i = 0; i < 20 && c.status(1).role() == Role.FOLLOWER; i++) {
            c.core(1).tick();
        }
        assertEquals(Role.CANDIDATE, c.status(1).role(), "no campaign after two base election timeouts");
        Ready rd = c.flush(1);
        assertEquals(new HardState(2, 1, 3), rd.hardState(), "candidate must persist term 2 and its vote for itself");
        List<Message> votes = ofType(allMessages(rd), MessageType.VOTE);
        assertEquals(Set.of(2L, 3L), Set.copyOf(votes.stream().map(Message::to).toList()),
                "vote requests must go to every other voter");
        for (Message v : votes) {
            assertEquals(2, v.term(), "vote request term: " + v);
            assertEquals(3, v.index(), "vote request must carry the candidate's last index: " + v);
            assertEquals(1, v.logTerm(), "vote request must carry the candidate's last term: " + v);
        }
    }

    @Test
    void preCandidateAsksForPreVotesAtTheNextTermWithoutRaisingItsOwnTermOrVote() {
        // Thesis §9.6: a pre-vote changes nothing durable, so a node that cannot win never inflates its term.
        LocalCluster c = lone(1, founding(1, 2, 3), t -> t);
        for (int i = 0; i < 20 && c.status(1).role() == Role.FOLLOWER; i++) {
            c.core(1).tick();
        }
        assertEquals(Role.PRE_CANDIDATE, c.status(1).role(), "with pre-vote on, a timeout starts a pre-vote");
        Ready rd = c.flush(1);
        assertNull(rd.hardState(), "a pre-vote must not change the hard state, got " + rd.hardState());
        assertEquals(1, c.status(1).term(), "pre-candidate raised its term");
        assertEquals(0, c.status(1).vote(), "pre-candidate recorded a vote");
        List<Message> pre = ofType(allMessages(rd), MessageType.PRE_VOTE);
        assertEquals(2, pre.size(), "pre-vote requests: " + pre);
        for (Message m : pre) {
            assertEquals(2, m.term(), "a pre-vote asks at term+1: " + m);
            assertEquals(3, m.index(), "pre-vote must carry the last index: " + m);
        }
    }

    @Test
    void candidateBecomesLeaderOnceVotesFromAMajorityArrive() {
        // §5.2: "A candidate wins an election if it receives votes from a majority of the servers".
        LocalCluster c = lone(1, founding(1, 2, 3, 4, 5), t -> t.plainRaft());
        c.core(1).campaign();
        c.flush(1);
        c.step(msg(MessageType.VOTE_RESPONSE, 2, 1, 2).build());
        assertEquals(Role.CANDIDATE, c.status(1).role(), "2 of 5 votes is not a majority");
        c.step(msg(MessageType.VOTE_RESPONSE, 3, 1, 2).build());
        assertEquals(Role.LEADER, c.status(1).role(), "3 of 5 votes is a majority");
        assertEquals(2, c.status(1).term());
    }

    @Test
    void candidateReturnsToFollowerWhenAMajorityRejectsIt() {
        LocalCluster c = lone(1, founding(1, 2, 3), t -> t.plainRaft());
        c.core(1).campaign();
        c.flush(1);
        c.step(msg(MessageType.VOTE_RESPONSE, 2, 1, 2).reject(true).build());
        assertEquals(Role.CANDIDATE, c.status(1).role(), "one rejection of three decides nothing");
        c.step(msg(MessageType.VOTE_RESPONSE, 3, 1, 2).reject(true).build());
        assertEquals(Role.FOLLOWER, c.status(1).role(), "a majority rejected the candidate");
        assertEquals(2, c.status(1).term(), "the candidate keeps the term it reached");
    }

    @Test
    void candidateStepsDownWhenALeaderOfItsTermAppends() {
        // §5.2: "If the leader's term is at least as large as the candidate's current term, the candidate
        // recognizes the leader as legitimate and returns to follower state."
        LocalCluster c = lone(1, founding(1, 2, 3), t -> t.plainRaft());
        c.core(1).campaign();
        c.flush(1);
        c.step(msg(MessageType.APPEND, 2, 1, 2).index(3).logTerm(1).commit(3).build());
        assertEquals(Role.FOLLOWER, c.status(1).role());
        assertEquals(2, c.status(1).leaderId(), "the appending node is the leader of term 2");
    }

    // ---------------------------------------------------------------- granting votes

    @Test
    void voterGrantsAtMostOneVotePerTermFirstComeFirstServed() {
        // §5.2: "each server will vote for at most one candidate in a given term, on a first-come-first-served basis".
        LocalCluster c = lone(1, founding(1, 2, 3), t -> t);
        Ready first = c.step(msg(MessageType.VOTE, 2, 1, 2).index(3).logTerm(1).build());
        assertFalse(single(ofType(allMessages(first), MessageType.VOTE_RESPONSE), "answer to 2").reject(),
                "first candidate of term 2 must get the vote");
        Ready second = c.step(msg(MessageType.VOTE, 3, 1, 2).index(3).logTerm(1).build());
        assertTrue(single(ofType(allMessages(second), MessageType.VOTE_RESPONSE), "answer to 3").reject(),
                "a second candidate in the same term must be refused");
        Ready again = c.step(msg(MessageType.VOTE, 2, 1, 2).index(3).logTerm(1).build());
        assertFalse(single(ofType(allMessages(again), MessageType.VOTE_RESPONSE), "repeat answer to 2").reject(),
                "a retransmitted request of the candidate we voted for is granted again");
    }

    @Test
    void candidateWhoseLastLogTermIsLowerIsDeniedTheVoteEvenWithALongerLog() {
        // §5.4.1: "If the logs have last entries with different terms, then the log with the later term is more up-to-date."
        LocalCluster c = lone(1, storageWithTerms(ids(1, 2, 3), 2, 3, 2), t -> t);
        Ready rd = c.step(msg(MessageType.VOTE, 2, 1, 3).index(10).logTerm(1).build());
        assertTrue(single(ofType(allMessages(rd), MessageType.VOTE_RESPONSE), "answer").reject(),
                "voter's last entry 4@2 is more up to date than the candidate's 10@1");
        assertEquals(3, c.status(1).term(), "§5.1: the voter still adopts the higher term");
        assertEquals(0, c.status(1).vote());
    }

    @Test
    void candidateWithAShorterLogEndingInTheSameTermIsDeniedTheVote() {
        // §5.4.1: "If the logs end with the same term, then whichever log is longer is more up-to-date."
        LocalCluster c = lone(1, storageWithTerms(ids(1, 2, 3), 2, 3, 2, 2), t -> t);
        Ready rd = c.step(msg(MessageType.VOTE, 2, 1, 3).index(4).logTerm(2).build());
        assertTrue(single(ofType(allMessages(rd), MessageType.VOTE_RESPONSE), "answer").reject(),
                "voter's log ends at 5@2, the candidate's at 4@2");
    }

    @Test
    void candidateWithAHigherLastLogTermIsGrantedTheVoteEvenWithAShorterLog() {
        LocalCluster c = lone(1, storageWithTerms(ids(1, 2, 3), 2, 3, 2, 2), t -> t);
        Ready rd = c.step(msg(MessageType.VOTE, 2, 1, 4).index(4).logTerm(3).build());
        assertFalse(single(ofType(allMessages(rd), MessageType.VOTE_RESPONSE), "answer").reject(),
                "candidate's last entry 4@3 is more up to date than the voter's 5@2");
        assertEquals(2, c.status(1).vote());
    }

    @Test
    void nodeMissingACommittedEntryCannotWinAnElection() {
        // §5.4.1 Leader Completeness: the voting rule keeps a node without every committed entry from winning.
        LocalCluster c = new LocalCluster(t -> t.plainRaft(), 1, 2, 3);
        c.elect(1);
        c.isolate(3);
        c.core(1).propose("x".getBytes());
        c.deliverAll();
        long x = c.status(1).lastIndex();
        assertTrue(c.status(1).commit() >= x, "precondition: x committed by nodes 1 and 2");
        c.heal();
        c.isolate(1);
        c.core(3).campaign();
        c.deliverAll();
        assertNotEquals(Role.LEADER, c.status(3).role(), "node 3 lacks committed entry " + x + " yet won");
        c.elect(2);
        assertEquals(List.of("x"), c.appliedData(2));
    }

    // ---------------------------------------------------------------- terms

    @Test
    void serverThatSeesAHigherTermAdoptsItAndStepsDownToFollower() {
        // §5.1: "If a candidate or leader discovers that its term is out of date, it immediately reverts to follower state."
        LocalCluster c = new LocalCluster(1, 2, 3);
        c.elect(1);
        c.step(msg(MessageType.APPEND_RESPONSE, 2, 1, 7).build());
        assertEquals(Role.FOLLOWER, c.status(1).role(), "leader ignored a term-7 message");
        assertEquals(7, c.status(1).term());
    }

    @Test
    void appendFromALowerTermIsAnsweredWithOurTerm() {
        // Answer a lower-term append so a stale leader learns the term (etcd-io/etcd#8501).
        LocalCluster c = lone(2, storageWithTerms(ids(1, 2, 3), 3, 3), t -> t);
        Ready rd = c.step(msg(MessageType.APPEND, 1, 2, 2).index(3).logTerm(1)
                .entries(RaftTesting.entries(4, 2)).commit(3).build());
        Message answer = single(ofType(allMessages(rd), MessageType.APPEND_RESPONSE), "answer to the term-2 append");
        assertEquals(1, answer.to());
        assertEquals(3, answer.term(), "the answer must carry our term 3 so the stale leader steps down");
        assertEquals(3, c.status(2).lastIndex(), "a stale leader's entries must not be appended");
        assertEquals(0, c.status(2).leaderId(), "a stale leader must not be recognised");
    }

    @Test
    void heartbeatFromALowerTermIsAnsweredWithOurTerm() {
        // etcd-io/etcd#8501.
        LocalCluster c = lone(2, storageWithTerms(ids(1, 2, 3), 3, 3), t -> t);
        Ready rd = c.step(msg(MessageType.HEARTBEAT, 1, 2, 2).commit(3).build());
        List<Message> answers = allMessages(rd).stream().filter(to(1)).toList();
        assertEquals(1, answers.size(), "a lower-term heartbeat must be answered, got " + answers);
        assertEquals(3, answers.get(0).term(), "the answer must carry our term");
    }

    @Test
    void staleLeaderStepsDownAsSoonAsItsHeartbeatIsAnsweredWithAHigherTerm() {
        // etcd-io/etcd#8501: without the answer, a leader cut off and healed would wait for check-quorum.
        LocalCluster c = new LocalCluster(1, 2, 3);
        c.elect(1);
        c.isolate(1);
        c.tick(60, 2, 3);
        long newLeader = c.status(2).role() == Role.LEADER ? 2 : 3;
        assertEquals(Role.LEADER, c.status(newLeader).role(), "precondition: nodes 2 and 3 elect a new leader");
        long newTerm = c.status(newLeader).term();
        assertEquals(Role.LEADER, c.status(1).role(), "precondition: node 1 was not ticked and still believes it leads");
        c.heal();
        c.core(1).tick();
        c.deliverAll();
        assertEquals(Role.FOLLOWER, c.status(1).role(), "stale leader still leads after its heartbeat was answered");
        assertEquals(newTerm, c.status(1).term());
    }

    // ---------------------------------------------------------------- pre-vote and check-quorum

    @Test
    void preVoteFromALowerTermIsRejectedNotDropped() {
        // etcd-io/etcd#8501: a dropped lower-term pre-vote leaves the pre-candidate stuck below the cluster's term.
        LocalCluster c = lone(2, storageWithTerms(ids(1, 2, 3), 5, 3), t -> t);
        Ready rd = c.step(msg(MessageType.PRE_VOTE, 3, 2, 4).index(3).logTerm(1).build());
        Message answer = single(ofType(allMessages(rd), MessageType.PRE_VOTE_RESPONSE), "pre-vote answer");
        assertTrue(answer.reject(), "a lower-term pre-vote must be rejected");
        assertEquals(5, answer.term(), "the rejection must carry our term");
    }

    @Test
    void preCandidateAdoptsTheHigherTermOfARejectedPreVote() {
        LocalCluster c = lone(1, founding(1, 2, 3), t -> t);
        c.core(1).campaign();
        c.flush(1);
        assertEquals(Role.PRE_CANDIDATE, c.status(1).role());
        c.step(msg(MessageType.PRE_VOTE_RESPONSE, 2, 1, 5).reject(true).build());
        assertEquals(Role.FOLLOWER, c.status(1).role());
        assertEquals(5, c.status(1).term(), "pre-candidate must learn term 5 from the rejection");
    }

    @Test
    void preVoteGrantChangesNeitherTheVotersTermNorItsVote() {
        // Thesis §9.6.
        LocalCluster c = lone(2, founding(1, 2, 3), t -> t);
        Ready rd = c.step(msg(MessageType.PRE_VOTE, 1, 2, 2).index(3).logTerm(1).build());
        Message answer = single(ofType(allMessages(rd), MessageType.PRE_VOTE_RESPONSE), "pre-vote answer");
        assertFalse(answer.reject(), "an up-to-date pre-candidate must get the pre-vote");
        assertEquals(2, answer.term(), "a pre-vote grant answers at the requested term");
        assertNull(rd.hardState(), "granting a pre-vote must not touch the hard state");
        assertEquals(1, c.status(2).term());
        assertEquals(0, c.status(2).vote());
    }

    @Test
    void preVoteKeepsAPartitionedNodeFromDisruptingTheLeaderWhenItRejoins() {
        // Thesis §9.6: a partitioned node cannot win a pre-vote, so its term does not rise.
        LocalCluster c = new LocalCluster(1, 2, 3);
        c.elect(1);
        long term = c.status(1).term();
        c.isolate(3);
        c.core(1).propose("during".getBytes());
        c.tickAll(100);
        assertEquals(term, c.status(3).term(), "partitioned node 3 raised its term without winning a pre-vote");
        c.heal();
        c.tickAll(30);
        for (long id = 1; id <= 3; id++) {
            assertEquals(term, c.status(id).term(), "node " + id + " changed term after node 3 rejoined");
            assertEquals(1, c.status(id).leaderId(), "node " + id + " follows another leader");
        }
        assertEquals(c.logTerms(1, 1), c.logTerms(3, 1), "node 3 did not catch up after rejoining");
    }

    @Test
    void voterThatHeardFromTheLeaderWithinAnElectionTimeoutIgnoresVoteRequests() {
        // Thesis §4.2.3: a disruptive server is ignored while a leader is known to be alive.
        LocalCluster c = new LocalCluster(1, 2, 3);
        c.elect(1);
        long term = c.status(2).term();
        Ready rd = c.step(msg(MessageType.VOTE, 3, 2, term + 1).index(100).logTerm(term).build());
        assertTrue(ofType(allMessages(rd), MessageType.VOTE_RESPONSE).isEmpty(),
                "a voter in the leader's lease must ignore a vote request: " + allMessages(rd));
        assertEquals(term, c.status(2).term(), "the voter must not adopt the disruptive term");
        assertEquals(1, c.status(2).leaderId());
    }

    @Test
    void checkQuorumLeaderStepsDownWhenCutOffFromAMajority() {
        LocalCluster c = new LocalCluster(1, 2, 3);
        c.elect(1);
        long term = c.status(1).term();
        c.isolate(1);
        c.tick(2 * 10, 1);
        assertEquals(Role.FOLLOWER, c.status(1).role(), "a leader cut off for two election timeouts still leads");
        assertEquals(term, c.status(1).term(), "stepping down for check-quorum must not change the term");
    }

    @Test
    void checkQuorumLeaderKeepsLeadingWhileAMajorityAnswers() {
        LocalCluster c = new LocalCluster(1, 2, 3);
        c.elect(1);
        long term = c.status(1).term();
        c.isolate(3);
        c.tickAll(100);
        assertEquals(Role.LEADER, c.status(1).role(), "leader with a quorum (1, 2) stepped down");
        assertEquals(term, c.status(1).term());
    }

    // ---------------------------------------------------------------- campaigns that overlap, a dead leader

    @Test
    void preCandidateThatGrantsThePreVoteOfAPeerRankedAheadStepsBack() {
        // Node 2 has the same log and a lower id: node 3 grants and leaves the real vote to it.
        LocalCluster c = lone(3, founding(1, 2, 3), t -> t);
        c.core(3).campaign();
        c.flush(3);
        assertEquals(Role.PRE_CANDIDATE, c.status(3).role());
        Ready rd = c.step(msg(MessageType.PRE_VOTE, 2, 3, 2).index(3).logTerm(1).build());
        Message answer = single(ofType(allMessages(rd), MessageType.PRE_VOTE_RESPONSE), "pre-vote answer");
        assertFalse(answer.reject(), "the pre-vote of a peer with the same log must be granted");
        assertEquals(Role.FOLLOWER, c.status(3).role(), "the pre-candidate ranked behind must step back");
        assertEquals(1, c.status(3).term(), "stepping back must not change the term");
        assertEquals(0, c.status(3).vote(), "stepping back must not record a vote");
        c.step(msg(MessageType.PRE_VOTE_RESPONSE, 1, 3, 2).build());
        assertEquals(Role.FOLLOWER, c.status(3).role(), "a late grant of its abandoned pre-vote made it campaign");
    }

    @Test
    void preCandidateGrantsThePreVoteOfAPeerRankedBehindAndCarriesOn() {
        LocalCluster c = lone(2, founding(1, 2, 3), t -> t);
        c.core(2).campaign();
        c.flush(2);
        Ready rd = c.step(msg(MessageType.PRE_VOTE, 3, 2, 2).index(3).logTerm(1).build());
        Message answer = single(ofType(allMessages(rd), MessageType.PRE_VOTE_RESPONSE), "pre-vote answer");
        assertFalse(answer.reject(), "a pre-candidate still grants an up-to-date peer");
        assertEquals(Role.PRE_CANDIDATE, c.status(2).role(), "the pre-candidate ranked ahead must carry on");
        c.step(msg(MessageType.PRE_VOTE_RESPONSE, 3, 2, 2).build());
        assertEquals(Role.CANDIDATE, c.status(2).role(), "a quorum of pre-votes must start the real vote");
    }

    @Test
    void preCandidateStepsBackForAPeerWithAMoreUpToDateLogWhateverItsId() {
        LocalCluster c = lone(2, founding(1, 2, 3), t -> t);
        c.core(2).campaign();
        c.flush(2);
        Ready rd = c.step(msg(MessageType.PRE_VOTE, 3, 2, 2).index(4).logTerm(1).build());
        assertFalse(single(ofType(allMessages(rd), MessageType.PRE_VOTE_RESPONSE), "pre-vote answer").reject());
        assertEquals(Role.FOLLOWER, c.status(2).role(), "a longer log ranks ahead of a lower id");
    }

    @Test
    void followersThatLoseTheirLeaderAtOnceElectOneLeaderInTheNextTermEvenWhenTheirPreVotesCross() {
        LocalCluster c = new LocalCluster(1, 2, 3);
        c.elect(1);
        long term = c.status(2).term();
        c.isolate(1); // node 1's process died
        c.core(2).reportLeaderGone(1);
        c.core(3).reportLeaderGone(1);
        // Both start a pre-vote before either hears the other's: their requests cross on the wire.
        for (int i = 0; i < 20 && !(c.status(2).role() == Role.PRE_CANDIDATE
                && c.status(3).role() == Role.PRE_CANDIDATE); i++) {
            c.core(2).tick();
            c.core(3).tick();
        }
        assertEquals(Role.PRE_CANDIDATE, c.status(2).role(), "precondition: node 2 campaigns");
        assertEquals(Role.PRE_CANDIDATE, c.status(3).role(), "precondition: node 3 campaigns at the same time");
        c.deliverAll();
        assertEquals(Role.LEADER, c.status(2).role(), "node 2 (ranked ahead) must win; roles: " + c.status(2) + " "
                + c.status(3));
        assertEquals(term + 1, c.status(2).term(), "the vote of term " + (term + 1) + " was split");
        assertEquals(2, c.status(3).leaderId());
    }

    @Test
    void afterItsLeaderDiedAFollowerRetriesAFailedPreVoteWithinLessThanATimeout() {
        LocalCluster c = new LocalCluster(1, 2, 3);
        c.elect(1);
        c.isolate(1);
        c.core(2).reportLeaderGone(1); // node 3 has not noticed: it drops pre-votes inside 1's lease
        c.tick(1, 2);
        assertEquals(Role.PRE_CANDIDATE, c.status(2).role(),
                "node 2 must campaign at once, and node 3 must drop its pre-vote inside node 1's lease");
        int ticks = 0;
        while (c.peek(type(MessageType.PRE_VOTE).and(from(2))).isEmpty() && ticks < 40) {
            c.core(2).tick();
            ticks++;
        }
        assertTrue(ticks >= 2 && ticks < 10, "after its leader died, node 2 retried its pre-vote after " + ticks
                + " ticks; expected [2, 10), less than the base timeout of 10");
    }

    @Test
    void aFollowerThatHearsFromItsLeaderAgainAfterAFalseAlarmWaitsAWholeTimeoutAgain() {
        LocalCluster c = new LocalCluster(1, 2, 3);
        c.elect(1);
        long term = c.status(2).term();
        c.core(2).reportLeaderGone(1); // the connection reset, but node 1 lives
        c.tickAll(30);
        for (long id = 1; id <= 3; id++) {
            assertEquals(term, c.status(id).term(), "a false alarm on node 2 changed node " + id + "'s term");
            assertEquals(1, c.status(id).leaderId(), "a false alarm on node 2 deposed the leader");
        }
        c.isolate(1);
        int ticks = 0;
        while (c.status(2).role() == Role.FOLLOWER && ticks < 40) {
            c.core(2).tick();
            ticks++;
        }
        assertTrue(ticks >= 10, "once node 1 was heard again, node 2 must wait a whole timeout; it waited "
                + ticks + " ticks");
    }

    // ---------------------------------------------------------------- learners

    @Test
    void learnerNeverCampaigns() {
        LocalCluster c = LocalCluster.withLearners(t -> t, ids(1, 2, 3), ids(4));
        c.isolate(4);
        for (int i = 0; i < 100; i++) {
            c.core(4).tick();
            List<Message> sent = c.take(from(4));
            assertTrue(sent.stream().noneMatch(type(MessageType.PRE_VOTE).or(type(MessageType.VOTE))),
                    "learner 4 asked for votes: " + sent);
        }
        assertEquals(Role.FOLLOWER, c.status(4).role());
        assertEquals(1, c.status(4).term(), "learner raised its term");
    }

    @Test
    void learnersVoteDoesNotCountTowardAMajority() {
        MemoryStorage s = storage(ids(1, 2, 3), List.of(confEntry(1, 4, ConfChangeType.ADD_LEARNER, 4)), 1, 0, 4);
        LocalCluster c = lone(1, s, t -> t.plainRaft());
        assertEquals(Set.of(4L), c.status(1).conf().learners(), "precondition: 4 is a learner");
        c.core(1).campaign();
        c.flush(1);
        c.step(msg(MessageType.VOTE_RESPONSE, 4, 1, 2).build());
        assertEquals(Role.CANDIDATE, c.status(1).role(), "self plus learner 4 counted as a majority of {1,2,3}");
        c.step(msg(MessageType.VOTE_RESPONSE, 2, 1, 2).build());
        assertEquals(Role.LEADER, c.status(1).role());
    }
}
