package io.kvorum.server.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.server.raft.Entry;
import io.kvorum.server.raft.Message;
import io.kvorum.server.raft.MessageType;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommitNoticesTest {
    private static final long HOLD = 1_000_000;

    private static Message notice(long to, long term, long commit) {
        return Message.builder(MessageType.APPEND).from(1).to(to).term(term).index(commit).logTerm(term)
                .commit(commit).build();
    }

    private static Message append(long to, long term, long index, long commit) {
        return Message.builder(MessageType.APPEND).from(1).to(to).term(term).index(index - 1).logTerm(term)
                .entries(List.of(Entry.normal(term, index, new byte[] {1}))).commit(commit).build();
    }

    @Test
    void anEmptyAppendWaitsItsHoldAndThenGoesOut() {
        CommitNotices notices = new CommitNotices(HOLD);
        Message n2 = notice(2, 3, 10);
        Message n3 = notice(3, 3, 10);

        assertEquals(List.of(), notices.pass(List.of(n2, n3), 0));
        assertEquals(HOLD, notices.nanosUntilDue(0, Long.MAX_VALUE));
        assertEquals(List.of(), notices.due(HOLD - 1));
        assertEquals(List.of(n2, n3), notices.due(HOLD));
        assertEquals(List.of(), notices.due(2 * HOLD), "each is sent once");
        assertEquals(5, notices.nanosUntilDue(0, 5), "nothing held: the caller's own limit");
    }

    @Test
    void theNextAppendToTheSameFollowerCarriesTheCommitInstead() {
        CommitNotices notices = new CommitNotices(HOLD);
        notices.pass(List.of(notice(2, 3, 10), notice(3, 3, 10)), 0);
        Message next = append(2, 3, 11, 10);

        assertEquals(List.of(next), notices.pass(List.of(next), 100));
        assertEquals(List.of(notice(3, 3, 10)), notices.due(HOLD), "only the other follower's is still due");
    }

    @Test
    void aNewerEmptyAppendReplacesAnOlderOneWithoutMovingItsDeadline() {
        CommitNotices notices = new CommitNotices(HOLD);
        notices.pass(List.of(notice(2, 3, 10)), 0);
        Message newer = notice(2, 3, 11);

        assertEquals(List.of(), notices.pass(List.of(newer), HOLD / 2));
        assertEquals(HOLD / 2, notices.nanosUntilDue(HOLD / 2, Long.MAX_VALUE));
        assertEquals(List.of(newer), notices.due(HOLD));
    }

    @Test
    void anythingElseToThatFollowerSendsTheHeldOneFirst() {
        CommitNotices notices = new CommitNotices(HOLD);
        Message held = notice(2, 3, 10);
        notices.pass(List.of(held), 0);
        Message timeoutNow = Message.builder(MessageType.TIMEOUT_NOW).from(1).to(2).term(3).build();

        assertEquals(List.of(held, timeoutNow), notices.pass(List.of(timeoutNow), 10));
        assertEquals(List.of(), notices.due(HOLD));
    }

    @Test
    void anAppendOfAnotherTermOrALowerCommitDoesNotReplaceIt() {
        CommitNotices notices = new CommitNotices(HOLD);
        Message held = notice(2, 3, 10);
        notices.pass(List.of(held), 0);
        Message nextTerm = append(2, 4, 11, 9);

        assertEquals(List.of(held, nextTerm), notices.pass(List.of(nextTerm), 10));

        Message again = notice(2, 4, 12);
        notices.pass(List.of(again), 20);
        Message lower = append(2, 4, 13, 11);
        assertEquals(List.of(again, lower), notices.pass(List.of(lower), 30));
    }

    @Test
    void messagesToOtherFollowersAndNonEmptyAppendsPassInOrder() {
        CommitNotices notices = new CommitNotices(HOLD);
        Message toThree = append(3, 3, 11, 10);
        Message heartbeat = Message.builder(MessageType.HEARTBEAT).from(1).to(3).term(3).commit(10).build();
        Message held = notice(2, 3, 10);

        List<Message> sent = notices.pass(List.of(toThree, held, heartbeat), 0);

        assertEquals(List.of(toThree, heartbeat), sent);
        assertTrue(CommitNotices.holds(held));
        assertEquals(List.of(held), notices.due(HOLD));
    }
}
