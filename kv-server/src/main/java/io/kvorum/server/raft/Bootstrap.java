package io.kvorum.server.raft;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * The first entries of every founding member's log: one ADD_VOTER conf change per initial
 * voter, at term 1, committed. Every founding member writes the same entries, so logs agree;
 * a member added later replays them and learns the initial membership (etcd's bootstrap).
 * The node starts with applied index 0 and membership empty; applying them sets it.
 */
public final class Bootstrap {
    private Bootstrap() {
    }

    public static List<Entry> entries(Collection<Long> voters) {
        if (voters.isEmpty()) {
            throw new IllegalArgumentException("a cluster needs at least one voter");
        }
        List<Entry> out = new ArrayList<>();
        long index = 1;
        for (long id : new TreeSet<>(voters)) {
            ConfChange cc = new ConfChange(ConfChangeType.ADD_VOTER, id, null);
            out.add(new Entry(1, index++, EntryType.CONF_CHANGE, cc.encode()));
        }
        return out;
    }

    /** Term 1, no vote, committed through the bootstrap entries. */
    public static HardState hardState(List<Entry> bootstrapEntries) {
        return new HardState(1, 0, bootstrapEntries.get(bootstrapEntries.size() - 1).index());
    }
}
