package io.kvorum.server.raft;

import java.util.Map;

/**
 * A read-only view of a core for status pages and tests.
 *
 * @param progress on the leader, each member's replication progress; empty elsewhere
 */
public record Status(long id, Role role, long term, long vote, long leaderId, long commit,
                     long applied, long lastIndex, ConfState conf,
                     Map<Long, PeerProgress> progress) {

    /** One follower's progress as the leader sees it. */
    public record PeerProgress(long match, long next, ProgressState state, boolean recentActive) {
    }

    public boolean isLearner() {
        return conf.learners().contains(id);
    }
}
