package io.kvorum.jepsen.nemesis;

import java.util.Random;

/**
 * A kind of fault. {@link #start} injects one (choosing its victims with the run's random) and
 * says what it did, or returns null when it cannot now (no leader to isolate, no Cluster API);
 * {@link #stop} undoes what the last start did. {@link #healAll} restores everything this kind
 * of fault could have touched, whatever happened: the end of every run calls it.
 */
public interface Nemesis {
    String name();

    String start(Random random) throws Exception;

    void stop() throws Exception;

    default void healAll() throws Exception {
        stop();
    }
}
