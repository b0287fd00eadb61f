package io.kvorum.server.storage;

import static io.kvorum.server.storage.Fixtures.bytes;
import static io.kvorum.server.storage.Fixtures.str;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvorum.server.raft.Bootstrap;
import io.kvorum.server.raft.ConfChange;
import io.kvorum.server.raft.ConfState;
import io.kvorum.server.raft.Entry;
import io.kvorum.server.raft.EntryType;
import io.kvorum.server.raft.HardState;
import io.kvorum.server.raft.Message;
import io.kvorum.server.raft.MessageType;
import io.kvorum.server.raft.RaftConfig;
import io.kvorum.server.raft.RaftCore;
import io.kvorum.server.raft.Ready;
import io.kvorum.server.raft.Role;
import io.kvorum.server.raft.SnapshotMeta;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The real Raft core driven over NodeStores, in one thread, following the Ready contract the
 * way the node will: install a snapshot's data, persist, send, apply with the membership at
 * each entry, advance. Shows that the store fits the core: restarts resume from the stored
 * applied index, and a follower too far behind gets the leader's checkpoint.
 */
class RaftOnNodeStoreTest {
    private static final List<Long> VOTERS = List.of(1L, 2L, 3L);

    @TempDir
    Path dir;

    private final Map<Long, NodeStore> stores = new TreeMap<>();
    private final Map<Long, RaftCore> cores = new TreeMap<>();
    private final List<Message> inFlight = new ArrayList<>();
    private final Set<Long> isolated = new HashSet<>();
    /** Checkpoint directories by snapshot index: what the transport would stream. */
    private final Map<Long, Path> checkpoints = new HashMap<>();
    private int checkpointSeq;

    @AfterEach
    void closeStores() {
        stores.values().forEach(NodeStore::close);
    }

    private void start(long id) {
        NodeStore s = NodeStore.open(dir.resolve("node" + id), "it", id, ConfState.EMPTY);
        if (s.lastIndex() == 0 && s.hardState().equals(HardState.EMPTY)) {
            List<Entry> boot = Bootstrap.entries(VOTERS);
            s.persist(new Ready(null, Bootstrap.hardState(boot), boot, null, List.of(), List.of(), List.of(),
                    List.of()));
        }
        stores.put(id, s);
        cores.put(id, new RaftCore(RaftConfig.defaults(id).withApplied(s.appliedIndex()), s));
    }

    private void stop(long id) {
        cores.remove(id);
        stores.remove(id).close();
    }

    private void process(long id, Ready rd) {
        NodeStore s = stores.get(id);
        inFlight.addAll(rd.messages());
        if (rd.snapshot() != null) {
            s.installSnapshot(rd.snapshot(), checkpoints.get(rd.snapshot().index()));
        }
        s.persist(rd);
        inFlight.addAll(rd.messagesAfterPersist());
        for (Entry e : rd.committedEntries()) {
            ConfState conf = s.appliedConfState();
            if (e.type() == EntryType.CONF_CHANGE) {
                conf = conf.apply(ConfChange.decode(e.data()));
            }
            s.applyBatch(e.index(), conf, b -> {
                if (e.type() == EntryType.NORMAL && e.data().length > 0) {
                    b.put(e.data(), bytes("applied at " + e.index()));
                }
            });
        }
        cores.get(id).advance(rd);
    }

    private void deliverAll() {
        for (int round = 0; round < 10_000; round++) {
            boolean busy = false;
            for (Map.Entry<Long, RaftCore> c : cores.entrySet()) {
                if (c.getValue().hasReady()) {
                    process(c.getKey(), c.getValue().ready());
                    busy = true;
                }
            }
            List<Message> batch = new ArrayList<>(inFlight);
            inFlight.clear();
            for (Message m : batch) {
                if (isolated.contains(m.from()) || isolated.contains(m.to()) || !cores.containsKey(m.to())) {
                    // As a real transport does when a send fails: the leader then probes again.
                    if (cores.containsKey(m.from())) {
                        cores.get(m.from()).reportUnreachable(m.to());
                    }
                    continue;
                }
                cores.get(m.to()).step(m);
                if (m.type() == MessageType.SNAPSHOT && cores.containsKey(m.from())) {
                    cores.get(m.from()).reportSnapshot(m.to(), true);
                }
                busy = true;
            }
            if (!busy) {
                return;
            }
        }
        throw new AssertionError("cluster never went quiet");
    }

    private void tickAll(int n) {
        for (int i = 0; i < n; i++) {
            cores.values().forEach(RaftCore::tick);
            deliverAll();
        }
    }

    private void propose(long leader, String... values) {
        for (String v : values) {
            cores.get(leader).propose(bytes(v));
        }
        deliverAll();
        tickAll(2);
    }

    private static Map<String, String> state(NodeStore s) {
        Map<String, String> m = new TreeMap<>();
        s.forEachInRange(null, null, Integer.MAX_VALUE, (k, v) -> m.put(str(k), str(v)));
        return m;
    }

    private void assertConverged() {
        NodeStore leader = stores.get(1L);
        for (NodeStore s : stores.values()) {
            assertEquals(leader.appliedIndex(), s.appliedIndex(), "applied index of " + s.path());
            assertEquals(state(leader), state(s), "state of " + s.path());
            assertEquals(ConfState.ofVoters(1L, 2L, 3L), s.appliedConfState());
        }
    }

    @Test
    void electReplicateRestartAndCatchUp() {
        VOTERS.forEach(this::start);
        deliverAll();
        cores.get(1L).campaign();
        deliverAll();
        assertEquals(Role.LEADER, cores.get(1L).status().role());
        propose(1, "a", "b", "c");
        assertConverged();
        assertTrue(state(stores.get(2L)).containsKey("c"));

        stop(2);
        propose(1, "d");
        start(2);
        deliverAll();
        tickAll(3);
        assertConverged();
        assertTrue(state(stores.get(2L)).containsKey("d"));
    }

    @Test
    void followerBehindTheCompactedLogInstallsTheLeadersCheckpoint() {
        VOTERS.forEach(this::start);
        deliverAll();
        cores.get(1L).campaign();
        deliverAll();
        propose(1, "before");
        isolated.add(3L);
        for (int i = 0; i < 20; i++) {
            propose(1, "k" + i);
        }
        NodeStore leader = stores.get(1L);
        Path cp = dir.resolve("checkpoint" + checkpointSeq++);
        SnapshotMeta meta = leader.createSnapshot(cp);
        checkpoints.put(meta.index(), cp);
        leader.compact(meta.index());
        assertTrue(stores.get(3L).lastIndex() < meta.index(), "node 3 is behind the compacted log");

        isolated.clear();
        tickAll(30);
        propose(cores.get(1L).status().role() == Role.LEADER ? 1 : cores.get(2L).status().role() == Role.LEADER ? 2 : 3,
                "after");
        NodeStore three = stores.get(3L);
        assertEquals(meta, three.snapshot(), "node 3 installed the leader's snapshot");
        assertTrue(state(three).containsKey("k19") && state(three).containsKey("after"));
        assertConverged();

        // And it restarts from the installed state.
        stop(3);
        start(3);
        deliverAll();
        tickAll(3);
        assertConverged();
    }
}
