package io.kvorum.server.raft;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A few cores wired together in one thread for rule-by-rule tests: messages are delivered
 * only when the test says so ({@link #deliverAll()}), links can be cut, and each node's
 * Readys are processed by the contract (persist to its MemoryStorage, send, apply, advance).
 */
final class LocalCluster {
    final Map<Long, RaftCore> cores = new TreeMap<>();
    final Map<Long, MemoryStorage> storages = new HashMap<>();
    final Map<Long, List<Entry>> applied = new HashMap<>();
    final Map<Long, List<ReadState>> readStates = new HashMap<>();
    final List<Message> inFlight = new ArrayList<>();
    final Set<String> cut = new HashSet<>();

    LocalCluster(long... ids) {
        List<Long> voters = new ArrayList<>();
        for (long id : ids) {
            voters.add(id);
        }
        for (long id : ids) {
            MemoryStorage s = MemoryStorage.bootstrap(voters);
            storages.put(id, s);
            cores.put(id, new RaftCore(config(id), s));
            applied.put(id, new ArrayList<>());
            readStates.put(id, new ArrayList<>());
        }
        processAll();
    }

    static RaftConfig config(long id) {
        return RaftConfig.defaults(id);
    }

    RaftCore core(long id) {
        return cores.get(id);
    }

    /** Processes one Ready of every node that has one. */
    void processAll() {
        boolean any = true;
        while (any) {
            any = false;
            for (long id : cores.keySet()) {
                RaftCore c = cores.get(id);
                if (c.hasReady()) {
                    process(id, c.ready());
                    any = true;
                }
            }
        }
    }

    void process(long id, Ready rd) {
        RaftCore c = cores.get(id);
        MemoryStorage s = storages.get(id);
        inFlight.addAll(rd.messages());
        if (rd.snapshot() != null) {
            s.applySnapshot(rd.snapshot());
        }
        s.append(rd.entries());
        if (rd.hardState() != null) {
            s.setHardState(rd.hardState());
        }
        inFlight.addAll(rd.messagesAfterPersist());
        applied.get(id).addAll(rd.committedEntries());
        readStates.get(id).addAll(rd.readStates());
        c.advance(rd);
    }

    /** Delivers every message in flight (and those they cause) until the network is quiet. */
    void deliverAll() {
        processAll();
        int rounds = 0;
        while (!inFlight.isEmpty()) {
            if (++rounds > 10_000) {
                throw new AssertionError("network never went quiet");
            }
            List<Message> batch = new ArrayList<>(inFlight);
            inFlight.clear();
            for (Message m : batch) {
                if (!cut.contains(m.from() + ">" + m.to()) && cores.containsKey(m.to())) {
                    cores.get(m.to()).step(m);
                }
            }
            processAll();
        }
    }

    /** Drops every message in flight. */
    void dropAll() {
        processAll();
        inFlight.clear();
    }

    void isolate(long id) {
        for (long other : cores.keySet()) {
            cut.add(id + ">" + other);
            cut.add(other + ">" + id);
        }
    }

    void heal() {
        cut.clear();
    }

    void tickAll(int n) {
        for (int i = 0; i < n; i++) {
            for (RaftCore c : cores.values()) {
                c.tick();
            }
            deliverAll();
        }
    }

    /** Elects {@code id} by forcing its campaign. */
    void elect(long id) {
        core(id).campaign();
        deliverAll();
        if (core(id).status().role() != Role.LEADER) {
            throw new AssertionError("node " + id + " did not win: " + core(id).status());
        }
    }

    long leader() {
        for (RaftCore c : cores.values()) {
            if (c.status().role() == Role.LEADER) {
                return c.status().id();
            }
        }
        return 0;
    }

    /** Payloads of the normal, non-empty entries node {@code id} applied, in order. */
    List<String> appliedData(long id) {
        List<String> out = new ArrayList<>();
        for (Entry e : applied.get(id)) {
            if (e.type() == EntryType.NORMAL && e.data().length > 0) {
                out.add(new String(e.data()));
            }
        }
        return out;
    }
}
