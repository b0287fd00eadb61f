package io.kvorum.server;

import io.kvorum.server.raft.ConfChange;
import io.kvorum.server.raft.ConfChangeType;
import io.kvorum.server.raft.ConfState;
import io.kvorum.server.raft.Entry;
import io.kvorum.server.raft.EntryType;
import io.kvorum.server.raft.HardState;
import io.kvorum.server.raft.Ready;
import io.kvorum.server.storage.NodeStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --force-new-cluster}, for when a quorum is lost for good: rewrites one survivor's
 * store so that it starts as the only voter of its cluster, keeping its data (as etcd does).
 * It appends to the log, after everything the node holds, one conf change removing each other
 * member (and one making this node a voter if it was a learner), and marks the whole log
 * committed; the node applies them at start and then elects itself. New members are added the
 * usual way afterwards.
 *
 * <p>What it costs: entries this node had but the lost quorum never committed are committed
 * now (there is no one left to ask), and writes the lost members committed without this node
 * are gone. Pick the survivor with the highest last index. Running it again on a store that is
 * already a one-member cluster changes nothing.
 */
final class ForceNewCluster {
    private static final Logger LOG = LoggerFactory.getLogger(ForceNewCluster.class);

    private ForceNewCluster() {
    }

    /** Rewrites the store under {@code dbDir}; returns the membership it had at the end of its log. */
    static ConfState apply(Path dbDir, String clusterId, long selfId) {
        try (NodeStore store = NodeStore.open(dbDir, clusterId, selfId, ConfState.EMPTY)) {
            ConfState atEnd = membershipAtEnd(store);
            HardState hs = store.hardState();
            long term = Math.max(hs.term(), store.term(store.lastIndex()));
            List<Entry> removals = new ArrayList<>();
            long index = store.lastIndex();
            for (long member : atEnd.members()) {
                if (member != selfId) {
                    removals.add(confChange(term, ++index, ConfChangeType.REMOVE_NODE, member));
                }
            }
            if (!atEnd.voters().contains(selfId)) {
                removals.add(confChange(term, ++index, ConfChangeType.ADD_VOTER, selfId));
            }
            if (removals.isEmpty() && hs.commit() == store.lastIndex()) {
                LOG.info("--force-new-cluster: node {} is already the only voter; nothing to change", selfId);
                return atEnd;
            }
            store.persist(new Ready(null, new HardState(term, hs.vote(), index), removals, null, List.of(), List.of(),
                    List.of(), List.of()));
            LOG.warn("--force-new-cluster: node {} had membership {} at log index {}; the log through {} is now "
                    + "committed and this node is the only voter. Add new members with 'kvorum member add'.",
                    selfId, atEnd, store.lastIndex() - removals.size(), index);
            return atEnd;
        }
    }

    /** The membership after every entry of the log, committed or not. */
    private static ConfState membershipAtEnd(NodeStore store) {
        ConfState conf = store.appliedConfState();
        long from = store.appliedIndex() + 1;
        long last = store.lastIndex();
        while (from <= last) {
            List<Entry> batch = store.entries(from, last + 1, 16L << 20);
            for (Entry e : batch) {
                if (e.type() == EntryType.CONF_CHANGE) {
                    conf = conf.apply(ConfChange.decode(e.data()));
                }
            }
            from += batch.size();
        }
        return conf;
    }

    private static Entry confChange(long term, long index, ConfChangeType type, long node) {
        return new Entry(term, index, EntryType.CONF_CHANGE, new ConfChange(type, node, null).encode());
    }
}
