package io.kvorum.client;

/** A cluster membership change the leader refused: it would lose quorum, or the learner has not caught up yet (MEMBERSHIP_REFUSED, NOT_LEARNER_CAUGHT_UP). */
public class MembershipChangeException extends KvorumException {
    public MembershipChangeException(String message, Throwable cause, String reason, String path, int opIndex) {
        super(message, cause, reason, path, opIndex);
    }
}
