package io.kvorum.client.recipes;

import java.util.Objects;
import java.util.function.LongConsumer;

/**
 * Told when this participant becomes leader and when it stops being leader. Calls alternate.
 * A lambda can stand for it when only gaining matters:
 * {@code new LeaderElection(client, "/elections/orders", "me", token -> startServing(token))}.
 */
@FunctionalInterface
public interface LeadershipListener {
    /**
     * This participant is now the leader.
     *
     * @param fencingToken larger than any earlier leader's: pass it to resources the leader writes
     */
    void leadershipGained(long fencingToken);

    /** This participant is no longer the leader (it resigned, closed, or its session was lost). */
    default void leadershipLost() {
    }

    /** A listener from two lambdas: one for gaining leadership, one for losing it. */
    static LeadershipListener of(LongConsumer gained, Runnable lost) {
        Objects.requireNonNull(gained, "gained");
        Objects.requireNonNull(lost, "lost");
        return new LeadershipListener() {
            @Override
            public void leadershipGained(long fencingToken) {
                gained.accept(fencingToken);
            }

            @Override
            public void leadershipLost() {
                lost.run();
            }
        };
    }
}
