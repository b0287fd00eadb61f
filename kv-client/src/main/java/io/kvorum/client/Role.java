package io.kvorum.client;

import java.util.Locale;

/** A member's part in the cluster's consensus, as a node reports it. */
public enum Role {
    LEADER,
    FOLLOWER,
    /** Campaigning for leadership (a pre-candidate reports this too). */
    CANDIDATE,
    /** Replicating without a vote, until promoted. */
    LEARNER,
    /** A learner added to stay one: replicates and serves reads, never votes, until explicitly promoted. */
    OBSERVER,
    /** Not known: asked of a node that is not the leader, or a role this client does not know. */
    UNKNOWN;

    /** The role a node named ({@code "leader"}, ...); UNKNOWN for an empty or unfamiliar name. */
    public static Role of(String name) {
        if (name == null || name.isEmpty()) {
            return UNKNOWN;
        }
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException unfamiliar) {
            return UNKNOWN;
        }
    }

    /** The name the server uses: {@code "leader"}, {@code "follower"}, ... */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
