package io.kvorum.server.raft;

import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * The membership in force: voters decide elections and commits; learners only replicate.
 * A node id is in at most one of the two sets. Immutable.
 */
public record ConfState(Set<Long> voters, Set<Long> learners) {
    public static final ConfState EMPTY = new ConfState(Set.of(), Set.of());

    public ConfState {
        voters = Collections.unmodifiableSet(new TreeSet<>(voters));
        learners = Collections.unmodifiableSet(new TreeSet<>(learners));
        for (Long id : voters) {
            if (learners.contains(id)) {
                throw new IllegalArgumentException("node " + id + " is both voter and learner");
            }
        }
    }

    public static ConfState ofVoters(Long... ids) {
        return new ConfState(Set.of(ids), Set.of());
    }

    public boolean isMember(long id) {
        return voters.contains(id) || learners.contains(id);
    }

    /** Every member, voters and learners, in id order. */
    public Set<Long> members() {
        TreeSet<Long> all = new TreeSet<>(voters);
        all.addAll(learners);
        return all;
    }

    public int quorum() {
        return voters.size() / 2 + 1;
    }

    /** This membership with {@code change} applied. Changes that make no sense are no-ops. */
    public ConfState apply(ConfChange change) {
        TreeSet<Long> v = new TreeSet<>(voters);
        TreeSet<Long> l = new TreeSet<>(learners);
        long id = change.nodeId();
        switch (change.type()) {
            case ADD_VOTER -> {
                l.remove(id);
                v.add(id);
            }
            case ADD_LEARNER -> {
                if (!v.contains(id)) {
                    l.add(id);
                }
            }
            case REMOVE_NODE -> {
                v.remove(id);
                l.remove(id);
            }
        }
        return new ConfState(v, l);
    }
}
