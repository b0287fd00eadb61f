package io.kvorum.client.recipes;

/** Told when this participant becomes leader and when it stops being leader. Calls alternate. */
public interface LeadershipListener {
    /**
     * This participant is now the leader.
     *
     * @param fencingToken larger than any earlier leader's: pass it to resources the leader writes
     */
    void leadershipGained(long fencingToken);

    /** This participant is no longer the leader (it resigned, closed, or its session was lost). */
    void leadershipLost();
}
