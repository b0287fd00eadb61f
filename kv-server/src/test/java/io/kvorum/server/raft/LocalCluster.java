package io.kvorum.server.raft;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * A few cores wired together in one thread for rule-by-rule tests: messages are delivered
 * only when the test says so ({@link #deliverAll()}, {@link #deliverWhere}), links can be cut,
 * messages can be lost by a predicate ({@link #dropIf}), a node's disk can be stalled
 * ({@link #hold}), a node can crash and restart from what it persisted ({@link #crash}), and
 * each node's Readys are processed by the contract (persist to its MemoryStorage, send, apply,
 * advance). Every processed Ready is checked against the durability contract of {@link Ready}.
 */
final class LocalCluster {
    final Map<Long, RaftCore> cores = new TreeMap<>();
    final Map<Long, MemoryStorage> storages = new HashMap<>();
    final Map<Long, List<Entry>> applied = new HashMap<>();
    final Map<Long, Long> appliedIndex = new HashMap<>();
    final Map<Long, List<ReadState>> readStates = new HashMap<>();
    final List<Message> inFlight = new ArrayList<>();
    /** Every message stepped into a core, in delivery order. */
    final List<Message> delivered = new ArrayList<>();
    final Set<String> cut = new HashSet<>();
    /** Nodes whose disk is stalled: their Readys are not taken until {@link #release}. */
    final Set<Long> held = new HashSet<>();
    /** Messages matching this are lost on the wire. */
    Predicate<Message> dropIf = m -> false;
    /** Whether the sender is told at once that a SNAPSHOT it sent was streamed. */
    boolean autoReportSnapshots = true;
    private final UnaryOperator<TestConfig> tweak;

    LocalCluster(long... ids) {
        this(t -> t, ids);
    }

    LocalCluster(UnaryOperator<TestConfig> tweak, long... ids) {
        this(tweak, bootstrapStorages(ids));
    }

    /** A cluster of the given nodes, each starting from its own storage. */
    LocalCluster(UnaryOperator<TestConfig> tweak, Map<Long, MemoryStorage> storages) {
        this.tweak = tweak;
        for (Map.Entry<Long, MemoryStorage> e : new TreeMap<>(storages).entrySet()) {
            addNode(e.getKey(), e.getValue());
        }
        processAll();
    }

    private static Map<Long, MemoryStorage> bootstrapStorages(long... ids) {
        List<Long> voters = RaftTesting.ids(ids);
        Map<Long, MemoryStorage> out = new LinkedHashMap<>();
        for (long id : ids) {
            out.put(id, MemoryStorage.bootstrap(voters));
        }
        return out;
    }

    /** Founding members {@code voters} plus {@code learners}, all knowing the membership from the log. */
    static LocalCluster withLearners(UnaryOperator<TestConfig> tweak, List<Long> voters, List<Long> learners) {
        Map<Long, MemoryStorage> storages = new LinkedHashMap<>();
        List<Long> all = new ArrayList<>(voters);
        all.addAll(learners);
        for (long id : all) {
            List<Entry> extra = new ArrayList<>();
            long index = voters.size() + 1L;
            for (long l : learners) {
                extra.add(RaftTesting.confEntry(1, index++, ConfChangeType.ADD_LEARNER, l));
            }
            storages.put(id, RaftTesting.storage(voters, extra, 1, 0, index - 1));
        }
        return new LocalCluster(tweak, storages);
    }

    RaftConfig config(long id) {
        return tweak.apply(TestConfig.of(id)).build();
    }

    /** Starts a node from {@code storage} (for instance {@link MemoryStorage#joining()}). */
    void addNode(long id, MemoryStorage storage) {
        storages.put(id, storage);
        cores.put(id, new RaftCore(config(id), storage));
        applied.put(id, new ArrayList<>());
        appliedIndex.put(id, 0L);
        readStates.put(id, new ArrayList<>());
    }

    RaftCore core(long id) {
        return cores.get(id);
    }

    Status status(long id) {
        return cores.get(id).status();
    }

    /**
     * The node loses everything it did not persist (an unprocessed Ready, memory) and restarts
     * from its storage, with the applied index its state machine had reached.
     */
    void crash(long id) {
        held.remove(id);
        RaftConfig cfg = config(id).withApplied(appliedIndex.get(id));
        cores.put(id, new RaftCore(cfg, storages.get(id)));
        processAll();
    }

    // ---------------------------------------------------------------- Readys

    /** Processes Readys of every node that is not held until none has one. */
    void processAll() {
        boolean any = true;
        while (any) {
            any = false;
            for (long id : cores.keySet()) {
                RaftCore c = cores.get(id);
                if (!held.contains(id) && c.hasReady()) {
                    process(id, c.ready());
                    any = true;
                }
            }
        }
    }

    /** Processes the node's next Ready (if any) and returns it, empty if there was none. */
    Ready flush(long id) {
        RaftCore c = cores.get(id);
        if (!c.hasReady()) {
            return new Ready(null, null, List.of(), null, List.of(), List.of(), List.of(), List.of());
        }
        Ready rd = c.ready();
        process(id, rd);
        return rd;
    }

    /** Steps {@code m} into its addressee and processes the Ready it causes. */
    Ready step(Message m) {
        cores.get(m.to()).step(m);
        return flush(m.to());
    }

    void process(long id, Ready rd) {
        sendNow(rd);
        persistAndAdvance(id, rd);
    }

    /** Step 1 of the contract: what may leave before persistence. */
    void sendNow(Ready rd) {
        inFlight.addAll(rd.messages());
    }

    /** Steps 2 to 5 of the contract: persist, send the promises, apply, advance. */
    void persistAndAdvance(long id, Ready rd) {
        RaftCore c = cores.get(id);
        MemoryStorage s = storages.get(id);
        if (rd.snapshot() != null) {
            s.applySnapshot(rd.snapshot());
            appliedIndex.put(id, rd.snapshot().index());
        }
        s.append(rd.entries());
        if (rd.hardState() != null) {
            s.setHardState(rd.hardState());
        }
        checkDurabilityContract(id, rd);
        inFlight.addAll(rd.messagesAfterPersist());
        applied.get(id).addAll(rd.committedEntries());
        if (!rd.committedEntries().isEmpty()) {
            appliedIndex.put(id, rd.committedEntries().get(rd.committedEntries().size() - 1).index());
        }
        readStates.get(id).addAll(rd.readStates());
        c.advance(rd);
        // The membership is persisted with the applied state it belongs to.
        s.setConfState(c.status().conf());
    }

    /** Vote grants and append acks leave only once what they promise is on disk. */
    private void checkDurabilityContract(long id, Ready rd) {
        for (Message m : rd.messages()) {
            if (m.type() == MessageType.VOTE_RESPONSE && !m.reject()) {
                throw new AssertionError("node " + id + " may send a vote grant before persisting it: " + m);
            }
            if (m.type() == MessageType.APPEND_RESPONSE && !m.reject() && m.index() > 0) {
                throw new AssertionError("node " + id + " may send an append ack before persisting: " + m);
            }
        }
        MemoryStorage s = storages.get(id);
        HardState hs = s.initialState().hardState();
        for (Message m : rd.messagesAfterPersist()) {
            if (m.type() == MessageType.VOTE_RESPONSE && !m.reject()
                    && (hs.term() != m.term() || hs.vote() != m.to())) {
                throw new AssertionError("node " + id + " grants " + m + " but persisted only " + hs);
            }
            if (m.type() == MessageType.APPEND_RESPONSE && !m.reject() && m.index() > s.lastIndex()) {
                throw new AssertionError("node " + id + " acks " + m + " but persisted only up to "
                        + s.lastIndex());
            }
        }
    }

    /** Stalls the node's disk: its Readys wait until {@link #release}. */
    void hold(long id) {
        held.add(id);
    }

    void release(long id) {
        held.remove(id);
        processAll();
    }

    // ---------------------------------------------------------------- network

    private boolean deliverable(Message m) {
        return !cut.contains(m.from() + ">" + m.to()) && !dropIf.test(m) && cores.containsKey(m.to());
    }

    private void stepInto(Message m) {
        delivered.add(m);
        cores.get(m.to()).step(m);
        if (m.type() == MessageType.SNAPSHOT && autoReportSnapshots && cores.containsKey(m.from())) {
            // The node streamed the snapshot's data: the sender may resume.
            cores.get(m.from()).reportSnapshot(m.to(), true);
        }
    }

    /** Delivers every message in flight (and those they cause) until the network is quiet. */
    void deliverAll() {
        deliverWhere(m -> true);
        inFlight.clear();
    }

    /**
     * Delivers the messages in flight that match {@code which}, and those they cause that match
     * it, until none is left; lost ones (cut or {@link #dropIf}) vanish, others stay in flight.
     */
    void deliverWhere(Predicate<Message> which) {
        processAll();
        int rounds = 0;
        while (true) {
            List<Message> batch = take(which);
            if (batch.isEmpty()) {
                return;
            }
            if (++rounds > 10_000) {
                throw new AssertionError("network never went quiet");
            }
            for (Message m : batch) {
                if (deliverable(m)) {
                    stepInto(m);
                } else if (cut.contains(m.from() + ">" + m.to()) && cores.containsKey(m.from())) {
                    // A cut link breaks the stream: the transport tells the sender.
                    cores.get(m.from()).reportUnreachable(m.to());
                }
            }
            processAll();
        }
    }

    /** Removes and returns the messages in flight that match {@code which}. */
    List<Message> take(Predicate<Message> which) {
        processAll();
        List<Message> out = new ArrayList<>();
        for (Iterator<Message> it = inFlight.iterator(); it.hasNext(); ) {
            Message m = it.next();
            if (which.test(m)) {
                out.add(m);
                it.remove();
            }
        }
        return out;
    }

    /** Messages in flight that match {@code which}, left in flight. */
    List<Message> peek(Predicate<Message> which) {
        processAll();
        return inFlight.stream().filter(which).toList();
    }

    /** Drops every message in flight. */
    void dropAll() {
        processAll();
        inFlight.clear();
    }

    void isolate(long id) {
        for (long other : cores.keySet()) {
            cutLink(id, other);
        }
    }

    void cutLink(long a, long b) {
        cut.add(a + ">" + b);
        cut.add(b + ">" + a);
    }

    void heal() {
        cut.clear();
    }

    // ---------------------------------------------------------------- time and roles

    void tickAll(int n) {
        for (int i = 0; i < n; i++) {
            for (RaftCore c : cores.values()) {
                c.tick();
            }
            deliverAll();
        }
    }

    /** Ticks only the given nodes, {@code n} times, delivering after each tick. */
    void tick(int n, long... ids) {
        for (int i = 0; i < n; i++) {
            for (long id : ids) {
                cores.get(id).tick();
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

    /** The terms of node {@code id}'s log from {@code from} to its last index, -1 where compacted. */
    List<Long> logTerms(long id, long from) {
        List<Long> out = new ArrayList<>();
        RaftCore c = cores.get(id);
        for (long i = from; i <= c.status().lastIndex(); i++) {
            out.add(c.logTerm(i));
        }
        return out;
    }

    /** Messages delivered so far that match {@code which}. */
    List<Message> deliveredWhere(Predicate<Message> which) {
        return delivered.stream().filter(which).toList();
    }
}
