package io.kvorum.server.raft.sim;

/** The simulated time of one run, in steps. Nothing in a run reads the wall clock. */
final class SimClock {
    private long now;

    long now() {
        return now;
    }

    void advance() {
        now++;
    }
}
