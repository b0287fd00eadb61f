package io.kvorum.jepsen.nemesis;

import java.time.Duration;

/**
 * Membership and leadership operations through the cluster's Cluster API. {@link KvClusterAdmin}
 * is the real one, over kv-client; {@link #UNAVAILABLE} makes the nemeses that need it decline,
 * so schedules simply skip them.
 */
public interface ClusterAdmin {
    boolean available();

    /** Hands leadership to {@code to} (0: the most up-to-date other voter). */
    void transferLeadership(long to) throws Exception;

    /**
     * Removes a member. Throws {@link io.kvorum.client.MembershipChangeException} when the
     * cluster refuses (e.g. the voters left would not include a live quorum).
     */
    void removeMember(long id) throws Exception;

    /** Adds a (new, empty) member as a learner: it replicates but does not vote. */
    void addLearner(long id, String peerAddress) throws Exception;

    /** Promotes a learner to voter as soon as it has caught up; throws if it has not within {@code timeout}. */
    void promote(long id, Duration timeout) throws Exception;

    /** Whether {@code id} is a learner in the membership the answering node has applied. */
    boolean isLearner(long id) throws Exception;

    ClusterAdmin UNAVAILABLE = new ClusterAdmin() {
        @Override
        public boolean available() {
            return false;
        }

        @Override
        public void transferLeadership(long to) {
            throw new UnsupportedOperationException("no Cluster API client");
        }

        @Override
        public void removeMember(long id) {
            throw new UnsupportedOperationException("no Cluster API client");
        }

        @Override
        public void addLearner(long id, String peerAddress) {
            throw new UnsupportedOperationException("no Cluster API client");
        }

        @Override
        public void promote(long id, Duration timeout) {
            throw new UnsupportedOperationException("no Cluster API client");
        }

        @Override
        public boolean isLearner(long id) {
            throw new UnsupportedOperationException("no Cluster API client");
        }
    };
}
