package io.kvorum.server.raft.sim;

import io.kvorum.server.raft.ConfChange;
import io.kvorum.server.raft.ConfState;
import io.kvorum.server.raft.Entry;
import io.kvorum.server.raft.EntryType;
import io.kvorum.server.raft.HardState;
import io.kvorum.server.raft.MemoryStorage;
import io.kvorum.server.raft.Message;
import io.kvorum.server.raft.MessageType;
import io.kvorum.server.raft.RaftConfig;
import io.kvorum.server.raft.RaftCore;
import io.kvorum.server.raft.ReadState;
import io.kvorum.server.raft.Ready;
import io.kvorum.server.raft.SnapshotMeta;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * One simulated server: a {@link RaftCore} driven the way the node layer drives it, on a disk
 * that keeps only what was persisted. The core's Ready goes through three stages, each taken
 * only when this machine's simulated disk gets to it, so a Ready can sit taken-but-unpersisted
 * or persisted-but-unapplied across steps while messages, ticks and proposals keep arriving,
 * and a crash can hit it in either stage.
 *
 * <p>What survives a crash: the {@link MemoryStorage} (log, hard state, snapshot metadata and
 * membership), the state-machine data at each kept snapshot, and the state machine's last
 * flushed checkpoint (its state, applied index and membership, written together as the real
 * node writes them in one batch). Everything else is lost.
 */
final class SimNode {
    private enum Stage { IDLE, TAKEN, PERSISTED }

    private static final int SNAPSHOTS_KEPT = 3;

    final long id;
    /** The durable disk. */
    final MemoryStorage storage;
    /** Durable: state-machine data at the snapshot indexes this node still holds. */
    private final TreeMap<Long, KvState> snapshotData = new TreeMap<>();
    /** Durable: the state machine as last flushed, and the membership as of its applied index. */
    private KvState checkpoint;
    private ConfState checkpointConf;

    private final RaftConfig config;
    /** How this machine behaves: chance per step to tick, to finish a disk write, to apply, to flush. */
    final double tickRate;
    private final double persistRate;
    private final double applyRate;
    private final double flushRate;

    private final Random rng;
    private final SimClock clock;
    private final SimNetwork net;
    private final InvariantChecker checker;
    private final LinearizableReads reads;
    private final SimStats stats;
    private final EventTrace trace;

    // ---- volatile: lost on crash
    private RaftCore core;
    private int incarnation;
    private KvState state;
    private ConfState confAtApplied;
    private Ready ready;
    private Stage stage = Stage.IDLE;
    /** Snapshot data delivered by SNAPSHOT messages, by index, waiting for a Ready to install it. */
    private final Map<Long, KvState> staged = new HashMap<>();
    /** Step at which this node last sent a granted vote (the nemesis likes to crash it then). */
    private long lastVoteGrantedAt = Long.MIN_VALUE / 2;
    /** Reads whose read index is known, waiting until this node has applied that far. */
    private final List<ReadState> awaitingApply = new ArrayList<>();

    private record Persisted(HardState hardState, long first, long last, SnapshotMeta snapshot) {
        @Override
        public String toString() {
            return (snapshot == null ? "" : "snapshot " + snapshot.index() + "@" + snapshot.term() + " ")
                    + (first == 0 ? "" : "entries " + first + ".." + last + " ")
                    + (hardState == null ? "" : hardState.toString());
        }
    }

    private record Applied(long first, long last) {
        @Override
        public String toString() {
            return first + ".." + last;
        }
    }

    SimNode(long id, ConfState bootstrap, RaftConfig config, Random rng, SimClock clock, SimNetwork net,
            InvariantChecker checker, LinearizableReads reads, SimStats stats, EventTrace trace) {
        this.id = id;
        this.storage = new MemoryStorage(bootstrap);
        this.checkpoint = new KvState();
        this.checkpointConf = bootstrap;
        this.config = config;
        this.rng = rng;
        this.clock = clock;
        this.net = net;
        this.checker = checker;
        this.reads = reads;
        this.stats = stats;
        this.trace = trace;
        // Machines differ: some clocks run slow (skew), some disks are slow, some state machines
        // flush lazily so a restart replays committed entries from an older applied index.
        this.tickRate = 0.4 + rng.nextDouble() * 0.2;
        this.persistRate = rng.nextInt(3) == 0 ? 0.2 + rng.nextDouble() * 0.6 : 1.0;
        this.applyRate = rng.nextInt(3) == 0 ? 0.2 + rng.nextDouble() * 0.6 : 1.0;
        this.flushRate = rng.nextBoolean() ? 1.0 : 0.1 + rng.nextDouble() * 0.5;
        this.state = checkpoint.copy();
        this.confAtApplied = bootstrap;
    }

    RaftCore core() {
        return core;
    }

    boolean isUp() {
        return core != null;
    }

    int incarnation() {
        return incarnation;
    }

    KvState state() {
        return state;
    }

    ConfState confAtApplied() {
        return confAtApplied;
    }

    boolean votedRecently() {
        return clock.now() - lastVoteGrantedAt <= 2;
    }

    boolean holdsUnpersistedReady() {
        return stage == Stage.TAKEN;
    }

    /** Entries up to here may be missing from the core's log because a snapshot covers them. */
    long compactedThrough() {
        long pendingSnapshot = ready != null && ready.snapshot() != null ? ready.snapshot().index() : 0;
        return Math.max(storage.snapshot().index(), pendingSnapshot);
    }

    // ------------------------------------------------------------ life cycle

    /** Boots a core from what is on disk (first start and restart alike). */
    void start(long coreSeed) {
        core = new RaftCore(config.withApplied(state.applied()).withSeed(coreSeed), storage);
        incarnation++;
        checker.onRestart(this);
    }

    /** Power loss: everything not on disk is gone. */
    void crash() {
        core = null;
        ready = null;
        stage = Stage.IDLE;
        staged.clear();
        awaitingApply.clear();
        state = checkpoint.copy();
        confAtApplied = checkpointConf;
        reads.forgetNode(id);
    }

    // ------------------------------------------------------------ the Ready pipeline

    /** Moves the Ready pipeline along as far as this machine's disk allows this step. */
    void pump() {
        for (int round = 0; round < 3 && core != null; round++) {
            if (stage == Stage.IDLE) {
                if (!core.hasReady()) {
                    return;
                }
                take();
            }
            if (stage == Stage.TAKEN) {
                if (rng.nextDouble() >= persistRate) {
                    return;
                }
                persist();
            }
            if (stage == Stage.PERSISTED) {
                if (rng.nextDouble() >= applyRate) {
                    return;
                }
                applyAndAdvance();
            }
        }
    }

    /** Ready step 1: take it, and send what promises nothing about our disk right away. */
    private void take() {
        ready = core.ready();
        stage = Stage.TAKEN;
        send(ready.messages());
        for (ReadState rs : ready.readStates()) {
            if (reads.onReadState(this, rs)) {
                if (rs.index() <= state.applied()) {
                    reads.serve(this, rs);
                } else {
                    awaitingApply.add(rs);
                }
            }
        }
    }

    /** Ready steps 2 and 3: write snapshot, entries and hard state as one; then send acknowledgements. */
    private void persist() {
        if (ready.snapshot() != null || !ready.entries().isEmpty() || ready.hardState() != null) {
            List<Entry> es = ready.entries();
            trace.record(clock.now(), id, "PERSIST", new Persisted(ready.hardState(),
                    es.isEmpty() ? 0 : es.get(0).index(), es.isEmpty() ? 0 : es.get(es.size() - 1).index(),
                    ready.snapshot()));
        }
        checker.beforePersist(this, ready);
        if (ready.snapshot() != null) {
            install(ready.snapshot());
        }
        storage.append(ready.entries());
        if (ready.hardState() != null) {
            storage.setHardState(ready.hardState());
        }
        checker.afterPersist(this, ready.hardState());
        stage = Stage.PERSISTED;
        send(ready.messagesAfterPersist());
    }

    /** Ready steps 4 and 5: apply committed entries, serve reads that became servable, advance. */
    private void applyAndAdvance() {
        List<Entry> committed = ready.committedEntries();
        if (!committed.isEmpty()) {
            trace.record(clock.now(), id, "APPLY", new Applied(committed.get(0).index(),
                    committed.get(committed.size() - 1).index()));
        }
        for (Entry e : committed) {
            apply(e);
        }
        serveAwaitingReads();
        if (rng.nextDouble() < flushRate) {
            flushStateMachine();
        }
        core.advance(ready);
        ready = null;
        stage = Stage.IDLE;
        staged.keySet().removeIf(i -> i <= state.applied()); // snapshots the core declined
        if (staged.isEmpty()) {
            // A core switches to a snapshot's membership when it accepts the message (as etcd
            // does), before the Ready that installs it; until then the two may differ.
            checker.afterAdvance(this);
        }
        checker.observe(this);
    }

    private void apply(Entry e) {
        checker.beforeApply(this, e);
        state.apply(e);
        boolean first = checker.afterApply(this, e, state.digest());
        if (first) {
            reads.onFirstApply(e);
        }
        if (e.type() == EntryType.CONF_CHANGE) {
            ConfChange cc = ConfChange.decode(e.data());
            confAtApplied = confAtApplied.apply(cc);
            if (first) {
                stats.confChanges++;
                trace.record(clock.now(), id, "CONF_APPLIED", cc + " at " + e.index() + " -> " + confAtApplied);
            }
        }
    }

    private void serveAwaitingReads() {
        Iterator<ReadState> it = awaitingApply.iterator();
        while (it.hasNext()) {
            ReadState rs = it.next();
            if (rs.index() <= state.applied()) {
                it.remove();
                reads.serve(this, rs);
            }
        }
    }

    /** The state machine's batch write: state, applied index and membership together. */
    private void flushStateMachine() {
        checkpoint = state.copy();
        checkpointConf = confAtApplied;
        storage.setConfState(confAtApplied);
    }

    // ------------------------------------------------------------ snapshots

    /** A SNAPSHOT message arrived with the sender's state at {@code index}: keep it for the Ready. */
    void stageSnapshot(long index, KvState data) {
        staged.put(index, data);
    }

    private void install(SnapshotMeta meta) {
        trace.record(clock.now(), id, "INSTALL", meta);
        KvState data = staged.get(meta.index());
        if (data == null) {
            throw new InvariantViolation("node " + id + " is told to install snapshot " + meta.index()
                    + " but no SNAPSHOT message delivered it");
        }
        checker.beforeInstall(this, meta, data);
        storage.applySnapshot(meta);
        state = data.copy();
        confAtApplied = meta.conf();
        checkpoint = data;
        checkpointConf = meta.conf();
        keepSnapshot(meta.index(), data);
        staged.keySet().removeIf(i -> i <= meta.index());
        stats.snapshotsInstalled++;
        serveAwaitingReads();
    }

    /** Log compaction: snapshot the state machine at the applied index and drop the log before it. */
    void compact() {
        long index = state.applied();
        if (index <= storage.snapshot().index()) {
            return;
        }
        flushStateMachine();
        storage.createSnapshotAndCompact(index, confAtApplied);
        keepSnapshot(index, checkpoint);
        stats.compactions++;
        trace.record(clock.now(), id, "COMPACT", index);
    }

    private void keepSnapshot(long index, KvState data) {
        snapshotData.put(index, data);
        while (snapshotData.size() > SNAPSHOTS_KEPT) {
            snapshotData.pollFirstEntry();
        }
    }

    // ------------------------------------------------------------ network

    private void send(List<Message> messages) {
        for (Message m : messages) {
            KvState data = null;
            if (m.type() == MessageType.SNAPSHOT) {
                // The core sends only metadata; the node streams the state at that index.
                data = snapshotData.get(m.snapshot().index());
                if (data == null) {
                    throw new InvariantViolation("node " + id + " sends snapshot " + m.snapshot().index()
                            + " but holds state only at " + snapshotData.keySet());
                }
            }
            if (m.type() == MessageType.VOTE_RESPONSE && !m.reject()) {
                lastVoteGrantedAt = clock.now();
            }
            net.send(m, clock.now(), incarnation, data);
        }
    }

    String describe() {
        if (core == null) {
            return "node " + id + " DOWN applied=" + state.applied() + " disk=" + storage.initialState().hardState();
        }
        var st = core.status();
        return "node " + id + " " + st.role() + " term=" + st.term() + " leader=" + st.leaderId() + " commit="
                + st.commit() + " applied=" + state.applied() + " last=" + st.lastIndex() + " conf=" + st.conf()
                + " ready=" + stage + (st.progress().isEmpty() ? "" : " progress=" + st.progress());
    }
}
