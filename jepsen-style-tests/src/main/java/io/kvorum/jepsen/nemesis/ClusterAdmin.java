package io.kvorum.jepsen.nemesis;

/**
 * Membership and leadership operations through the Cluster API. The Java client (kv-client)
 * that speaks it is being built; until it lands, {@link #UNAVAILABLE} makes the nemeses that
 * need it decline to start, so mixed schedules simply skip them.
 */
public interface ClusterAdmin {
    boolean available();

    void transferLeadership(long to) throws Exception;

    void removeMember(long id) throws Exception;

    /** Re-adds a removed member at its peer address (as a learner, then promoted). */
    void addMember(long id, String peerAddress) throws Exception;

    ClusterAdmin UNAVAILABLE = new ClusterAdmin() {
        @Override
        public boolean available() {
            return false;
        }

        @Override
        public void transferLeadership(long to) {
            throw new UnsupportedOperationException("leadership transfer needs the Cluster API client (kv-client)");
        }

        @Override
        public void removeMember(long id) {
            throw new UnsupportedOperationException("member removal needs the Cluster API client (kv-client)");
        }

        @Override
        public void addMember(long id, String peerAddress) {
            throw new UnsupportedOperationException("adding a member needs the Cluster API client (kv-client)");
        }
    };
}
