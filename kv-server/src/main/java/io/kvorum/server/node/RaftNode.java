package io.kvorum.server.node;

import io.kvorum.server.raft.Bootstrap;
import io.kvorum.server.raft.ConfChange;
import io.kvorum.server.raft.ConfChangeType;
import io.kvorum.server.raft.ConfState;
import io.kvorum.server.raft.Entry;
import io.kvorum.server.raft.EntryType;
import io.kvorum.server.raft.HardState;
import io.kvorum.server.raft.Message;
import io.kvorum.server.raft.MessageType;
import io.kvorum.server.raft.ProposalRejectedException;
import io.kvorum.server.raft.RaftConfig;
import io.kvorum.server.raft.RaftCore;
import io.kvorum.server.raft.ReadState;
import io.kvorum.server.raft.Ready;
import io.kvorum.server.raft.Role;
import io.kvorum.server.raft.SnapshotMeta;
import io.kvorum.server.raft.SoftState;
import io.kvorum.server.raft.Status;
import io.kvorum.server.storage.NodeStore;
import io.kvorum.server.transport.MessageHandler;
import io.kvorum.server.transport.PeerTransport;
import io.kvorum.server.transport.TransportStats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Kvorum node: two stages that overlap.
 *
 * <p>The <b>raft loop</b> drives the {@link RaftCore}. Proposals, reads and peer messages
 * arrive from other threads as tasks in one queue; each turn of the loop runs them, ticks the
 * core on time, and processes each Ready by the core's contract: it hands the leader's appends to
 * the transport first (so followers write while our own fsync runs), hands committed entries
 * that are already durable here to the apply stage, persists the Ready in one synced write
 * (group commit: whatever queued meanwhile shares the next one), sends acknowledgements, and
 * hands the rest of the committed entries and the read states to the apply stage.
 *
 * <p>The <b>apply stage</b> ({@link Applier}) applies committed entries in log order with the
 * applied index in one write per batch, completes the callers waiting on them, releases
 * linearizable reads, and takes snapshots. So under load the entries committed by one round
 * are applied and answered while the loop persists the next round, instead of after it.
 *
 * <p>A turn runs under {@link #turn}, on the loop's own thread or on the thread that delivered
 * peer messages: when the peers' event loop has handed over a round of frames and finds
 * the loop thread parked, it runs the turn itself ({@link #onMessagesDelivered}) rather than
 * waking the loop thread for it and being woken again for the answer. On a follower that is
 * the append's synced write and acknowledgement (written by that same thread once the turn
 * ends), then the apply of the few entries the append committed, in a task of that thread
 * after the acknowledgement ({@link Applier#applyAfterTurn}); on the leader the commit and
 * apply of an acknowledged write. Such a turn stops
 * before a proposal or a snapshot ({@link LoopThreadTask}); the loop thread runs those, the
 * tasks queued while it is busy, ticks and held commit notices.
 *
 * <p>All fields below the queue are touched only within a turn, unless marked otherwise.
 */
public final class RaftNode implements AutoCloseable, MessageHandler {
    private static final Logger LOG = LoggerFactory.getLogger(RaftNode.class);
    /**
     * Proposals held at most during one hand-off (beyond, they are refused as before); the
     * core's own bound on uncommitted bytes applies when they are proposed.
     */
    private static final int MAX_HELD_FOR_TRANSFER = 10_000;
    /** Bytes a caller of {@link #proposeFramed} leaves free before its command. */
    public static final int PROPOSAL_PREFIX_BYTES = ProposalHeader.SIZE;
    /** Committed entries waiting to be applied before the loop waits for the apply stage. */
    private static final long MAX_APPLY_BACKLOG_BYTES = 64L << 20;
    /**
     * How long a leader's empty append may wait for a later append to carry its commit index
     * ({@link CommitNotices}): longer than a client's turn-around between two writes, short
     * against anything a follower's reader would notice.
     */
    private static final long COMMIT_NOTICE_HOLD_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final NodeConfig cfg;
    private final NodeStore store;
    private final NodeMetrics metrics;
    private final StateMachine stateMachine;
    private final PeerTransport transport;
    private final SnapshotFiles snapshots;
    /** The most queued tasks one turn runs before it turns to the core's Ready. */
    private static final int MAX_TASKS_PER_TURN = 65_536;

    private final ConcurrentLinkedQueue<Runnable> inbox = new ConcurrentLinkedQueue<>();
    /** Held for each turn of the loop by whichever thread runs it; see the class comment. */
    private final ReentrantLock turn = new ReentrantLock();
    /** Why a turn run off the loop thread failed; the loop thread then stops the node with it. */
    private volatile Throwable turnFailure;
    /**
     * When the parked loop thread wakes by itself (System.nanoTime): a turn run elsewhere that
     * leaves something due earlier (a held commit notice) wakes it.
     */
    private volatile long loopWakesAtNanos;
    /** The loop thread is parked with nothing to do: the only time another thread runs a turn. */
    private volatile boolean loopParked;
    /** Turns run by the thread that delivered peer messages; written within a turn. */
    private volatile long turnsOnDelivery;
    /** A turn off the loop thread queued entries for {@link Applier#applyDeferred} after it. */
    private boolean deferredApplyQueued;
    /** Made once: a follower's turn on the peers' event loop leaves it there on every write. */
    private final Runnable applyDeferred = () -> this.applier.applyDeferred();
    private final Thread loop;
    private volatile boolean running = true;
    private volatile NodeStatus status;
    private final long incarnation = new SecureRandom().nextLong();
    private final AtomicLong fsyncs = new AtomicLong();
    private final AtomicLong snapshotsInstalled = new AtomicLong();
    /** Every future handed to a caller and not yet done, so a stopping node can fail them all. */
    private final java.util.Set<CompletableFuture<?>> outstanding = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private RaftCore core;
    private Applier applier;
    /** Peer addresses by id; read by any thread, changed by the loop and the apply stage. */
    private final Map<Long, String> peers = new ConcurrentSkipListMap<>();
    private long nextProposalSeq;
    private long nextReadId;
    /** Reads whose ReadIndex round is in flight, by request id. */
    private final Map<Long, CompletableFuture<Long>> reads = new HashMap<>();
    private final List<PendingChange> pendingChanges = new ArrayList<>();
    /** Loop only: proposals refused while this node hands over leadership; see releaseHeldProposals. */
    private final List<HeldProposal> heldForTransfer = new ArrayList<>();
    /**
     * Loop only: until when (System.nanoTime) a hand-off this node started may still be
     * electing its successor; proposals refused for want of a leader before then are held too.
     */
    private long handOffEndsNanos = System.nanoTime();
    /** When the core is ticked next (System.nanoTime). */
    private long nextTickNanos;
    private final Map<Long, Path> stagedSnapshots = new HashMap<>();
    private long leaderId;
    private Role role = Role.FOLLOWER;
    /**
     * Loop only: the last peer whose stream to us ended, and until when (System.nanoTime) its
     * messages are dropped. A peer has two streams (lanes) to us; when its process dies, what the
     * other lane had already received can be handed to the core after the report, and one stale
     * heartbeat would make the dead node our leader again, with a fresh lease in which we ignore
     * the other followers' pre-votes.
     */
    private long gonePeer;
    private long gonePeerMutedUntilNanos;
    /** Availability hook: lets calls fail at once on a node cut off from its leader. */
    private final LeaderContact leaderContact;
    /** Why this node could not reach a leader at its last tick (null: it could); read by the API's watch streams. */
    private volatile LeaderUnreachableException cutOffAtTick;
    /** Written by the apply stage (snapshots taken) and the loop (snapshots installed). */
    private volatile long lastSnapshotIndex;
    /**
     * How long after a checkpoint made to send a follower, with no other since, the WAL is
     * moved off the fresh file a checkpoint taken under load leaves it on: long enough that a
     * node sending several in a row moves it once, short enough that it soon syncs to a
     * recycled file again.
     */
    static final Duration WAL_REUSE_QUIET = Duration.ofSeconds(3);
    /** Takes snapshots off the apply thread; see {@link #maybeSnapshot}. */
    private final ScheduledThreadPoolExecutor snapshotThread;
    private final AtomicBoolean snapshotting = new AtomicBoolean();
    /**
     * On the leader, when each peer was last seen recently active (System.nanoTime). The core
     * clears its recentActive flags at every check-quorum round, so the flag alone flickers;
     * this remembers it for one election timeout to report a stable "active".
     */
    private final Map<Long, Long> lastActiveNanos = new HashMap<>();
    /** Loop only: empty appends waiting for the next append to carry their commit index. */
    private final CommitNotices commitNotices = new CommitNotices(COMMIT_NOTICE_HOLD_NANOS);

    /** A proposal held during a leadership hand-off, with its caller's future. */
    private record HeldProposal(byte[] framed, CompletableFuture<byte[]> caller) {
    }

    /** A membership change waiting to be applied; done when {@code applied} holds for the conf. */
    private record PendingChange(Predicate<ConfState> applied, CompletableFuture<Void> future) {
    }

    /**
     * The membership whose members' addresses {@link #peers} and the published status hold (loop
     * thread only). Membership changes complete against this, not the applier's conf: the
     * applier publishes a new conf before its listener records the new member's address, and a
     * caller woken in between would see the member without its address.
     */
    private ConfState addressedConf;

    private RaftNode(NodeConfig cfg, NodeStore store, NodeMetrics metrics, StateMachine stateMachine) {
        this.cfg = cfg;
        this.store = store;
        this.metrics = metrics;
        this.stateMachine = stateMachine;
        this.snapshots = new SnapshotFiles(cfg.dataDir().resolve("snapshots"), this::checkpointToSend);
        this.transport = new PeerTransport(cfg.nodeId(), cfg.clusterId(), cfg.peerListen(), this, snapshots,
                cfg.transport());
        this.loop = new Thread(this::runLoop, "raft-loop-" + cfg.nodeId());
        this.snapshotThread = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "raft-snapshot-" + cfg.nodeId());
            t.setDaemon(true);
            return t;
        });
        // Closing must not wait for, or run, a pending WAL check.
        snapshotThread.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.leaderContact = new LeaderContact(cfg.nodeId(), cfg.tickMillis() * cfg.electionTicks());
    }

    /**
     * Opens the node's store (creating and bootstrapping it when new), starts the peer
     * transport and the loop.
     *
     * @throws io.kvorum.server.storage.StorageException when the data dir is corrupt or belongs to
     *                                                   another cluster or node
     */
    public static RaftNode start(NodeConfig cfg, StateMachine stateMachine) throws IOException {
        return start(cfg, store -> stateMachine);
    }

    /**
     * Like {@link #start(NodeConfig, StateMachine)}, for a state machine that keeps its data in
     * the node's own store: {@code stateMachine} is called once with the opened store, before
     * the loop starts (so before anything is applied).
     */
    public static RaftNode start(NodeConfig cfg, Function<NodeStore, StateMachine> stateMachine) throws IOException {
        return start(cfg, NodeMetrics.NONE, stateMachine);
    }

    /** Like {@link #start(NodeConfig, Function)}, reporting to {@code metrics} (its store too). */
    public static RaftNode start(NodeConfig cfg, NodeMetrics metrics, Function<NodeStore, StateMachine> stateMachine)
            throws IOException {
        NodeStore store = NodeStore.open(cfg.dataDir().resolve("db"), cfg.clusterId(), cfg.nodeId(), ConfState.EMPTY);
        try {
            if (!cfg.join() && store.lastIndex() == 0 && store.initialState().hardState().equals(HardState.EMPTY)) {
                List<Entry> boot = Bootstrap.entries(cfg.initialCluster().keySet());
                store.persist(new Ready(null, Bootstrap.hardState(boot), boot, null, List.of(), List.of(), List.of(),
                        List.of()));
                LOG.info("bootstrapped a new cluster {} with voters {}", cfg.clusterId(), cfg.initialCluster().keySet());
            }
            store.metrics(metrics);
            RaftNode node = new RaftNode(cfg, store, metrics, stateMachine.apply(store));
            node.begin();
            return node;
        } catch (RuntimeException | IOException e) {
            store.close();
            throw e;
        }
    }

    private void begin() throws IOException {
        // Peer messages may arrive as soon as the transport starts: they wait in the inbox
        // until the node is set up and the loop thread takes its first turn.
        turn.lock();
        try {
            setUp();
        } finally {
            turn.unlock();
        }
        LOG.info("node {} of cluster {} started: peer address {}, applied index {}, members {}", cfg.nodeId(),
                cfg.clusterId(), cfg.peerListen(), store.appliedIndex(), peers);
    }

    private void setUp() throws IOException {
        applier = new Applier(cfg.nodeId(), incarnation, store, stateMachine, new ApplyListener(), MAX_APPLY_BACKLOG_BYTES,
                metrics);
        lastSnapshotIndex = store.snapshot().index();
        RaftConfig rc = new RaftConfig(cfg.nodeId(), cfg.electionTicks(), cfg.heartbeatTicks(), 1 << 20, 4096, 256, 8L << 20,
                64L << 20, 16L << 20, true, true, store.appliedIndex(), incarnation);
        core = new RaftCore(rc, store);
        peers.putAll(PeerAddressBook.load(store));
        // This node's own configuration wins over addresses learned from the log: a node must
        // reach each peer exactly where its operator says (through a proxy, a NAT, a tunnel).
        peers.putAll(cfg.initialCluster());
        addressedConf = applier.appliedConf();
        transport.start();
        transport.setPeers(otherPeers());
        publishStatus();
        applier.start();
        loopWakesAtNanos = System.nanoTime();
        nextTickNanos = loopWakesAtNanos + TimeUnit.MILLISECONDS.toNanos(cfg.tickMillis());
        loop.start();
    }

    // ------------------------------------------------------------------ public API (any thread)

    /** The peer port actually bound (useful with port 0). */
    public int peerPort() {
        return transport.port();
    }

    /**
     * Why this node cannot reach a leader (as of its last tick, so at most a tick old), naming
     * the leader it knew; null while it can. Any thread.
     */
    public LeaderUnreachableException leaderCutOff() {
        return cutOffAtTick;
    }

    public NodeStatus status() {
        NodeStatus s = status;
        long applied = applier.appliedIndex();
        // The apply stage moves on between the loop's publications: report where it is.
        return applied == s.appliedIndex() ? s : new NodeStatus(s.id(), s.role(), s.leaderId(), s.term(),
                s.commitIndex(), applied, s.lastIndex(), s.snapshotIndex(), s.members(), s.voters(), s.matchIndex(),
                s.learners(), s.active());
    }

    public NodeStore store() {
        return store;
    }

    public long fsyncCount() {
        return fsyncs.get();
    }

    /** Turns of the loop run by the thread that delivered peer messages rather than by the loop thread. */
    long turnsOnDelivery() {
        return turnsOnDelivery;
    }

    /** Log entries applied since start (every kind, from every proposer). */
    public long appliedEntries() {
        return applier.appliedEntries();
    }

    /** The peer transport's counters. */
    public TransportStats transportStats() {
        return transport.stats();
    }

    /** Snapshots received from a leader and installed since start. */
    public long snapshotsInstalled() {
        return snapshotsInstalled.get();
    }

    /** Runs each burst of completions inside {@code scope}, on the thread that applies ({@link CompletionScope}). */
    public void setCompletionScope(CompletionScope scope) {
        applier.setCompletionScope(scope);
    }

    /**
     * Replicates {@code command}; completes with the state machine's answer once this node
     * applied it, or exceptionally with {@link NotLeaderException} when it cannot be proposed.
     * Callers set their own deadline (e.g. {@code orTimeout}); a command whose future is done
     * (timed out, cancelled) before the loop reaches it is dropped unproposed, so a backlog of
     * abandoned calls costs no log space; one that timed out after it was proposed may still be
     * applied later.
     */
    public CompletableFuture<byte[]> propose(byte[] command) {
        byte[] framed = new byte[PROPOSAL_PREFIX_BYTES + command.length];
        System.arraycopy(command, 0, framed, PROPOSAL_PREFIX_BYTES, command.length);
        return proposeFramed(framed);
    }

    /**
     * Like {@link #propose(byte[])} for a command the caller encoded after
     * {@link #PROPOSAL_PREFIX_BYTES} bytes it left free: the node writes its header there and
     * the array itself becomes the log entry, with no copy.
     */
    public CompletableFuture<byte[]> proposeFramed(byte[] framed) {
        CompletableFuture<byte[]> f = new CompletableFuture<>();
        metrics.proposalReceived();
        submit(f, (LoopThreadTask) () -> {
            if (f.isDone()) {
                return; // its caller gave up (deadline, cancel) while it queued: never propose it
            }
            // During a hand-off this node knows no leader for a moment by design: propose()
            // holds the write for the successor instead of refusing it.
            if (System.nanoTime() >= handOffEndsNanos && refusedCutOff(f)) {
                return;
            }
            propose(framed, f);
        });
        return f;
    }

    /** On the loop: proposes, holds the proposal while leadership is being handed over, or fails it. */
    private void propose(byte[] framed, CompletableFuture<byte[]> f) {
        long seq = ++nextProposalSeq;
        try {
            core.propose(new ProposalHeader(cfg.nodeId(), incarnation, seq).writeInto(framed));
            // Before the entry can commit: it commits in a later Ready of this loop.
            applier.expectProposal(seq, f);
        } catch (ProposalRejectedException e) {
            boolean handingOff = e.reason() == ProposalRejectedException.Reason.TRANSFERRING
                    || (e.reason() == ProposalRejectedException.Reason.NO_LEADER
                    && System.nanoTime() < handOffEndsNanos);
            if (handingOff && heldForTransfer.size() < MAX_HELD_FOR_TRANSFER) {
                heldForTransfer.add(new HeldProposal(framed, f));
                return;
            }
            metrics.proposalFailed();
            f.completeExceptionally(notLeader(e));
        }
    }

    /**
     * Once a hand-off of leadership has ended, proposes what was held during it (refused while
     * the transfer ran, or while the successor was still being elected): forwarded to the new
     * leader, or proposed here again when the transfer was abandoned. If no leader is known two
     * election timeouts after the hand-off began, they fail as any proposal without a leader. A planned
     * hand-off thus costs the callers a pause of about one election round trip, not a refusal
     * and a client back-off (which made the stall of a rolling restart several times longer).
     * A proposal whose caller gave up meanwhile is dropped.
     */
    private void releaseHeldProposals() {
        if (heldForTransfer.isEmpty()) {
            return;
        }
        boolean gaveUp = System.nanoTime() >= handOffEndsNanos;
        if (!core.acceptsProposals() && !gaveUp) {
            return;
        }
        List<HeldProposal> held = new ArrayList<>(heldForTransfer);
        heldForTransfer.clear();
        for (HeldProposal h : held) {
            if (h.caller().isDone()) {
                continue;
            }
            if (core.acceptsProposals()) {
                propose(h.framed(), h.caller());
            } else {
                // The hand-off found no new leader in time: answer as any node without one.
                metrics.proposalFailed();
                h.caller().completeExceptionally(new NotLeaderException("no leader is known yet; retry shortly", 0,
                        null));
            }
        }
    }

    /**
     * A linearizable read barrier (ReadIndex): completes with an applied index once this node
     * has applied everything committed before the call; reading local state then is linearizable.
     */
    public CompletableFuture<Long> readBarrier() {
        CompletableFuture<Long> f = new CompletableFuture<>();
        submit(f, () -> {
            if (f.isDone() || refusedCutOff(f)) {
                return;
            }
            long rid = ++nextReadId;
            try {
                core.readIndex(rid);
                reads.put(rid, f);
            } catch (ProposalRejectedException e) {
                f.completeExceptionally(notLeader(e));
            }
        });
        return f;
    }

    /** Adds a member (as a learner, or a voter) reachable at {@code peerAddress}. */
    public CompletableFuture<Void> addMember(long id, String peerAddress, boolean learner) {
        ConfChangeType type = learner ? ConfChangeType.ADD_LEARNER : ConfChangeType.ADD_VOTER;
        ConfChange cc = new ConfChange(type, id, peerAddress.getBytes(StandardCharsets.UTF_8));
        return changeMembership(cc, learner ? c -> c.learners().contains(id) : c -> c.voters().contains(id));
    }

    /** Promotes a learner to voter. */
    public CompletableFuture<Void> promote(long id) {
        return changeMembership(new ConfChange(ConfChangeType.ADD_VOTER, id, null), c -> c.voters().contains(id));
    }

    public CompletableFuture<Void> removeMember(long id) {
        return changeMembership(new ConfChange(ConfChangeType.REMOVE_NODE, id, null), c -> !c.isMember(id));
    }

    /** Asks the leader (this node) to hand leadership to {@code to}. */
    public CompletableFuture<Void> transferLeadership(long to) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        submit(f, () -> {
            try {
                core.transferLeadership(to);
                // Proposals are held until the new leader is known, for at most this long.
                handOffEndsNanos = System.nanoTime()
                        + TimeUnit.MILLISECONDS.toNanos(2L * cfg.tickMillis() * cfg.electionTicks());
                pendingChanges.add(new PendingChange(c -> leaderId == to, f));
            } catch (ProposalRejectedException e) {
                f.completeExceptionally(notLeader(e));
            }
        });
        return f;
    }

    private CompletableFuture<Void> changeMembership(ConfChange cc, Predicate<ConfState> done) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        submit(f, (LoopThreadTask) () -> {
            try {
                core.proposeConfChange(cc);
                pendingChanges.add(new PendingChange(done, f));
            } catch (ProposalRejectedException e) {
                f.completeExceptionally(e.reason() == ProposalRejectedException.Reason.INVALID_CHANGE
                        ? new IllegalArgumentException(e.getMessage()) : notLeader(e));
            }
        });
        return f;
    }

    private void submit(CompletableFuture<?> f, Runnable task) {
        outstanding.add(f);
        f.whenComplete((v, e) -> outstanding.remove(f));
        enqueue(task);
        if (!running) {
            f.completeExceptionally(new NotLeaderException("node " + cfg.nodeId() + " is shutting down", 0, null));
        }
    }

    // ------------------------------------------------------------------ transport callbacks

    /** Queues the messages; the transport's {@link #onMessagesDelivered} that follows has them processed. */
    @Override
    public void onMessages(List<Message> received) {
        for (Message m : received) {
            if (m.type() == MessageType.SNAPSHOT || m.type() == MessageType.PROPOSE) {
                inbox.add((LoopThreadTask) () -> step(received));
                return;
            }
        }
        inbox.add(() -> step(received));
    }

    private void step(List<Message> received) {
        for (Message m : received) {
            if (m.from() == gonePeer && System.nanoTime() - gonePeerMutedUntilNanos < 0) {
                continue;
            }
            if (m.type() == MessageType.SNAPSHOT && m.snapshot() != null) {
                stagedSnapshots.put(m.snapshot().index(), snapshots.stagingDirFor(m.from(), m.snapshot()));
            }
            core.step(m);
            leaderContact.received(m, status.term());
        }
    }

    /**
     * A task only the loop thread runs; a turn run elsewhere stops before it, so that turn never
     * waits long. Stepping a SNAPSHOT message is one: installing it waits for the apply stage
     * and takes a while, and the peers' event loop would leave its peers' keep-alive pings
     * unanswered meanwhile. Proposing is another, here or for a follower (a PROPOSE message):
     * it makes the turn write and sync new entries, and on the peers' event loop that sync
     * would hold back sending them and reading the acknowledgements that commit earlier
     * entries, which the loop thread's turn would have done meanwhile.
     */
    private interface LoopThreadTask extends Runnable {
    }

    @Override
    public void onUnreachable(long peer) {
        enqueue(() -> {
            core.reportUnreachable(peer);
            lostMessagesTo(peer);
        });
    }

    @Override
    public void onPeerGone(long peer) {
        enqueue(() -> {
            if (peer == leaderId) {
                LOG.info("node {}: the stream from leader {} ended (its process died or closed it)", cfg.nodeId(), peer);
            }
            // Two heartbeat intervals: a live peer (a false alarm) is heard again from its next-but-one heartbeat.
            gonePeer = peer;
            gonePeerMutedUntilNanos = System.nanoTime()
                    + TimeUnit.MILLISECONDS.toNanos(2L * cfg.tickMillis() * cfg.heartbeatTicks());
            core.reportLeaderGone(peer);
            lostMessagesTo(peer);
        });
    }

    // ------------------------------------------------------------------ leader contact (availability)

    /** Fails {@code f} at once when this node cannot reach a leader; true if it did. */
    private boolean refusedCutOff(CompletableFuture<?> f) {
        String why = leaderContact.cutOff(leaderId);
        if (why != null) {
            f.completeExceptionally(new LeaderUnreachableException(why, leaderId, false));
        }
        return why != null;
    }

    /** Messages to {@code peer} may be lost: if it is our leader, what we forwarded to it fails now. */
    private void lostMessagesTo(long peer) {
        if (leaderContact.lost(peer, leaderId)) {
            failForwarded();
        }
    }

    /** Messages to the leader were lost: what we forwarded to it may never be answered. */
    private void failForwarded() {
        String why = "node " + cfg.nodeId() + " lost messages to leader " + leaderId;
        reads.values().forEach(f -> f.completeExceptionally(new LeaderUnreachableException(why, leaderId, false)));
        reads.clear();
        applier.failWaitingProposals(() -> new LeaderUnreachableException(
                why + "; the write may or may not be applied", leaderId, true));
    }

    @Override
    public void onSnapshotSent(long peer, boolean ok) {
        enqueue(() -> core.reportSnapshot(peer, ok));
    }

    // ------------------------------------------------------------------ the loop

    /** Queues a task for the loop and wakes the loop thread for it. */
    private void enqueue(Runnable task) {
        inbox.add(task);
        LockSupport.unpark(loop);
    }

    /**
     * The transport has handed over a round of peer messages ({@link #onMessages}): runs the
     * turn for them on this thread if the loop thread is parked with nothing to do and no turn
     * is running, or leaves them to the loop thread (a busy loop thread takes them in its next
     * turn at no cost, and a turn here would only contend with it for the lock).
     * Whatever a turn run here leaves for later (tasks queued meanwhile, a commit notice due
     * before the loop thread would wake) wakes the loop thread. A turn that may wait long (a
     * {@link LoopThreadTask}, or an apply stage so far behind that handing it more may wait)
     * is left to the loop thread too.
     */
    @Override
    public void onMessagesDelivered() {
        if (!loopParked || applier.pendingBytes() > MAX_APPLY_BACKLOG_BYTES / 2 || !turn.tryLock()) {
            LockSupport.unpark(loop); // the turn running now may have taken the messages already, or not
            return;
        }
        boolean wakeLoop = false;
        try {
            if (!running || turnFailure != null) {
                return;
            }
            runTurn(false);
            turnsOnDelivery++;
            if (deferredApplyQueued) {
                deferredApplyQueued = false;
                transport.executeOnPeerLoop(applyDeferred);
            }
            wakeLoop = nextDueNanos(System.nanoTime()) - loopWakesAtNanos < 0;
        } catch (InterruptedException | RuntimeException | Error e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            // Stopping closes the transport, which waits for this very thread: the loop thread does it.
            turnFailure = e;
            wakeLoop = true;
        } finally {
            turn.unlock();
        }
        if (wakeLoop || !inbox.isEmpty()) {
            LockSupport.unpark(loop);
        }
    }

    private void runLoop() {
        while (running) {
            long waitNanos;
            try {
                turn.lockInterruptibly();
            } catch (InterruptedException e) {
                break; // closing
            }
            try {
                if (!running) {
                    break;
                }
                if (turnFailure != null) {
                    stop(turnFailure);
                    return;
                }
                runTurn(true);
                long now = System.nanoTime();
                loopWakesAtNanos = nextDueNanos(now);
                waitNanos = loopWakesAtNanos - now;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | Error e) {
                stop(e);
                return;
            } finally {
                turn.unlock();
            }
            // A task queued after this look unparks us, so the park returns at once.
            if (waitNanos > 0 && inbox.isEmpty()) {
                loopParked = true;
                LockSupport.parkNanos(this, waitNanos);
                loopParked = false;
            }
        }
        failAll(new NotLeaderException("node " + cfg.nodeId() + " is shutting down", 0, null));
    }

    /** When the loop next has something to do by the clock (System.nanoTime): a held commit notice or the tick. */
    private long nextDueNanos(long now) {
        return now + commitNotices.nanosUntilDue(now, nextTickNanos - now);
    }

    /** One turn of the loop; the caller holds {@link #turn}. */
    private void runTurn(boolean onLoopThread) throws InterruptedException {
        for (int n = 0; n < MAX_TASKS_PER_TURN; n++) {
            Runnable task = inbox.peek();
            if (task == null || (!onLoopThread && task instanceof LoopThreadTask)) {
                break; // what is left wakes the loop thread
            }
            inbox.poll(); // the task peeked: only the turn's holder takes from the inbox
            task.run();
        }
        long now = System.nanoTime();
        if (now >= nextTickNanos) {
            core.tick();
            String cutOff = leaderContact.cutOff(leaderId);
            cutOffAtTick = cutOff == null ? null : new LeaderUnreachableException(cutOff, leaderId, false);
            long tickNanos = TimeUnit.MILLISECONDS.toNanos(cfg.tickMillis());
            // After a long stall tick once, not a burst: a burst would start elections.
            nextTickNanos = Math.max(nextTickNanos + tickNanos, now);
        }
        if (onLoopThread) {
            releaseHeldProposals(); // proposes: see LoopThreadTask
        }
        while (core.hasReady()) {
            handleReady(core.ready(), onLoopThread);
        }
        transport.send(commitNotices.due(System.nanoTime()));
    }

    /**
     * A failed write leaves the node unable to keep its promises: stop it rather than go on with
     * memory and disk disagreeing. An Error (a real OutOfMemoryError ends the process first:
     * -XX:+ExitOnOutOfMemoryError) stops it the same way, not a live process whose loop is
     * dead: callers get an answer and go elsewhere, and closing its links tells the peers at
     * once. Loop thread only, holding {@link #turn}.
     */
    private void stop(Throwable e) {
        running = false;
        LOG.error("node {} stops: {}", cfg.nodeId(), e.toString(), e);
        failAll(new NotLeaderException("node " + cfg.nodeId() + " failed: " + e, 0, null));
        transport.close();
    }

    private void handleReady(Ready rd, boolean onLoopThread) throws InterruptedException {
        transport.send(commitNotices.pass(rd.messages(), System.nanoTime()));
        if (rd.snapshot() != null) {
            applier.awaitIdle();
            installSnapshot(rd.snapshot());
        }
        // Committed entries already durable here are applied while this Ready persists: the
        // leader's are all of them (it counts itself only for durable entries). An entry at or
        // past the first one this Ready writes may replace what is stored there, so it waits.
        List<Entry> committed = rd.committedEntries();
        int durable = rd.snapshot() != null ? 0 : countDurable(committed, rd.entries());
        if (durable == committed.size() && !rd.mustSync()) {
            // Nothing of this Ready needs the disk's round trip (with one client writing, the
            // leader's Ready for an acknowledgement that commits the write): the loop has
            // nothing to overlap the apply with, so it applies here unless the stage is busy.
            applier.applyHereIfIdle(committed);
        } else if (onLoopThread) {
            applier.apply(committed.subList(0, durable));
        } else if (applier.applyAfterTurn(committed.subList(0, durable))) {
            // A follower's turn on the peers' event loop: its synced write and acknowledgement
            // come first, and that thread applies these once it has written them.
            deferredApplyQueued = true;
        }
        if (rd.mustSync()) {
            fsyncs.incrementAndGet();
        }
        store.persist(rd);
        transport.send(commitNotices.pass(rd.messagesAfterPersist(), System.nanoTime()));
        applier.apply(committed.subList(durable, committed.size()));
        for (ReadState rs : rd.readStates()) {
            CompletableFuture<Long> f = reads.remove(rs.context());
            if (f != null) {
                applier.awaitApplied(rs.index(), f);
            }
        }
        if (rd.softState() != null) {
            onSoftState(rd.softState());
        }
        addressCommittedMembers(committed);
        core.advance(rd);
        discardStaleStagedSnapshots();
        publishStatus();
        // After publishing: a caller woken by its membership change or transfer sees it in status().
        checkPendingChanges();
    }

    /**
     * Records the peer address of each member that {@code committed} adds, and forgets each one
     * it removes, before {@code core.advance} takes those changes into the core's membership:
     * the status published after it then never lists a member without its address (the apply
     * stage, which records them too, may not have reached those entries yet), and the leader's
     * links reach a new member as soon as the core starts replicating to it.
     */
    private void addressCommittedMembers(List<Entry> committed) {
        boolean changed = false;
        for (Entry e : committed) {
            if (e.type() == EntryType.CONF_CHANGE && e.index() > lastSnapshotIndex) {
                recordAddress(ConfChange.decode(e.data()));
                changed = true;
            }
        }
        if (changed) {
            transport.setPeers(otherPeers());
        }
    }

    /** Any thread: the address book after {@code cc}. Applying the same change again changes nothing. */
    private void recordAddress(ConfChange cc) {
        if (cc.type() == ConfChangeType.REMOVE_NODE) {
            peers.remove(cc.nodeId());
        } else if (cc.context().length > 0) {
            String address = new String(cc.context(), StandardCharsets.UTF_8);
            peers.put(cc.nodeId(), cfg.initialCluster().getOrDefault(cc.nodeId(), address));
        }
    }

    /** How many of {@code committed} (a prefix) are in the stored log and not about to be replaced. */
    private int countDurable(List<Entry> committed, List<Entry> toPersist) {
        long firstUnsafe = toPersist.isEmpty() ? store.lastIndex() + 1
                : Math.min(store.lastIndex() + 1, toPersist.get(0).index());
        int n = 0;
        while (n < committed.size() && committed.get(n).index() < firstUnsafe) {
            n++;
        }
        return n;
    }

    private void installSnapshot(SnapshotMeta meta) {
        Path staged = stagedSnapshots.remove(meta.index());
        if (staged == null) {
            throw new IllegalStateException("core accepted snapshot " + meta.index() + " that was never staged");
        }
        long started = System.nanoTime();
        long bytes = SnapshotFiles.sizeOf(staged);
        store.installSnapshot(meta, staged);
        metrics.snapshotInstalled(System.nanoTime() - started, bytes);
        lastSnapshotIndex = meta.index();
        snapshots.discard(staged);
        peers.putAll(PeerAddressBook.load(store));
        peers.putAll(cfg.initialCluster());
        transport.setPeers(otherPeers());
        stateMachine.restored(meta.index());
        applier.restored(meta.index(), meta.conf());
        addressedConf = meta.conf();
        snapshotsInstalled.incrementAndGet();
        LOG.info("node {} installed snapshot at index {} term {} (members {})", cfg.nodeId(), meta.index(),
                meta.term(), meta.conf());
    }

    /** Staged snapshots the core refused (we had their entries already) are deleted once applied past. */
    private void discardStaleStagedSnapshots() {
        long applied = store.appliedIndex();
        stagedSnapshots.entrySet().removeIf(e -> {
            if (e.getKey() <= applied) {
                snapshots.discard(e.getValue());
                return true;
            }
            return false;
        });
    }

    /** The apply stage's news for the node; called on the thread that applies. */
    private final class ApplyListener implements Applier.Listener {
        @Override
        public void membershipApplied(ConfState conf, List<ConfChange> changes) {
            for (ConfChange cc : changes) {
                recordAddress(cc);
            }
            LOG.info("node {} membership now voters {} learners {}", cfg.nodeId(), conf.voters(), conf.learners());
            enqueue(() -> {
                transport.setPeers(otherPeers());
                addressedConf = conf;
                // Published before the change's caller is woken, so it sees the new member's address.
                publishStatus();
                checkPendingChanges();
            });
        }

        @Override
        public void batchApplied(long appliedIndex) {
            maybeSnapshot(appliedIndex);
        }

        @Override
        public void applyFailed(RuntimeException e) {
            enqueue(() -> {
                throw e;
            });
        }
    }

    private void onSoftState(SoftState ss) {
        metrics.softState(ss.role(), ss.leaderId());
        if (ss.role() != role && ss.leaderId() == leaderId) {
            // Campaign steps change no leader: logged so that a slow election can be read afterwards.
            LOG.info("node {}: now {} (term {})", cfg.nodeId(), ss.role(), core.status().term());
        }
        role = ss.role();
        if (ss.leaderId() != leaderId) {
            LOG.info("node {}: leader is now {} (term {}, we are {})", cfg.nodeId(),
                    ss.leaderId() == 0 ? "unknown" : ss.leaderId(), core.status().term(), ss.role());
            leaderId = ss.leaderId();
            // Reads in flight may have been dropped by the old leader: fail them so callers retry.
            NotLeaderException e = new NotLeaderException("leader changed during the read; retry", leaderId,
                    peers.get(leaderId));
            reads.values().forEach(f -> f.completeExceptionally(e));
            reads.clear();
        }
    }

    private void checkPendingChanges() {
        Iterator<PendingChange> it = pendingChanges.iterator();
        while (it.hasNext()) {
            PendingChange p = it.next();
            if (p.future().isDone() || p.applied().test(addressedConf)) {
                p.future().complete(null);
                it.remove();
            }
        }
        applier.forgetAbandonedProposals();
    }

    /**
     * On the apply thread, after a batch: every {@code snapshotEntries} entries, starts a
     * snapshot on the snapshot thread, then lets the loop compact the log behind it (the core
     * reads the log on the loop thread only). A snapshot records the state as it stands as the
     * snapshot (one small write, beside the applier rather than on it); the data a
     * follower needs is copied only when one does ({@link #checkpointToSend}). One snapshot at
     * a time.
     */
    private void maybeSnapshot(long applied) {
        if (applied - lastSnapshotIndex < cfg.snapshotEntries() || !snapshotting.compareAndSet(false, true)) {
            return;
        }
        try {
            snapshotThread.execute(() -> {
                try {
                    takeSnapshot(applied);
                } finally {
                    snapshotting.set(false);
                }
                // What was applied while this one was taken starts the next at once: a backlog
                // applied meanwhile would otherwise wait for the next write to be compacted.
                maybeSnapshot(store.appliedIndex());
            });
        } catch (RejectedExecutionException closing) {
            snapshotting.set(false);
        }
    }

    private void takeSnapshot(long applied) {
        try {
            long started = System.nanoTime();
            SnapshotMeta meta = store.recordStateAsSnapshot();
            metrics.snapshotTaken(System.nanoTime() - started);
            lastSnapshotIndex = Math.max(lastSnapshotIndex, meta.index());
            snapshots.pruneOlderThan(meta.index());
            enqueue(() -> {
                long compactTo = Math.max(store.firstIndex(), meta.index() - cfg.catchUpEntries());
                if (compactTo > store.firstIndex()) {
                    store.compact(compactTo);
                }
                LOG.info("node {} took snapshot at index {} term {}; log compacted before {}", cfg.nodeId(),
                        meta.index(), meta.term(), compactTo);
            });
        } catch (IOException | RuntimeException e) {
            if (!running || store.snapshot().index() >= applied) {
                // Closing, or a snapshot from the leader was installed meanwhile: nothing is lost.
                LOG.info("node {}: snapshot at {} abandoned: {}", cfg.nodeId(), applied, e.toString());
                return;
            }
            // As a failed write: a node that cannot snapshot would grow its log without bound.
            RuntimeException failure = e instanceof IOException io
                    ? new UncheckedIOException("snapshot at " + applied + " failed", io) : (RuntimeException) e;
            enqueue(() -> {
                throw failure;
            });
        }
    }

    /**
     * On a peer's snapshot thread: a checkpoint of the store into {@code dir} for a follower
     * that fell behind the compacted log, at the index applied by then. It leaves the
     * write-ahead log on a fresh file, so the snapshot thread moves it back onto a recycled one
     * once no other checkpoint came for a while.
     */
    private SnapshotMeta checkpointToSend(Path dir) {
        long started = System.nanoTime();
        SnapshotMeta meta = store.createSnapshot(dir);
        metrics.checkpointMadeToSend(System.nanoTime() - started, SnapshotFiles.sizeOf(dir));
        try {
            snapshotThread.schedule(this::reuseRecycledWalFileIfQuiet, WAL_REUSE_QUIET.toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            // Nothing to save on a closing node.
        }
        return meta;
    }

    private void reuseRecycledWalFileIfQuiet() {
        if (!running) {
            return;
        }
        try {
            if (store.reuseRecycledWalFileIfQuiet(WAL_REUSE_QUIET)) {
                LOG.debug("node {}: write-ahead log moved onto a recycled file", cfg.nodeId());
            }
        } catch (RuntimeException e) {
            // Only a lost saving: the next checkpoint tries again.
            LOG.warn("node {}: moving the write-ahead log onto a recycled file failed: {}", cfg.nodeId(), e.toString());
        }
    }

    private void publishStatus() {
        Status s = core.status();
        String role = switch (s.role()) {
            case LEADER -> "leader";
            case CANDIDATE, PRE_CANDIDATE -> "candidate";
            case FOLLOWER -> s.isLearner() ? "learner" : "follower";
        };
        Map<Long, Long> match = new TreeMap<>();
        s.progress().forEach((id, p) -> match.put(id, p.match()));
        status = new NodeStatus(s.id(), role, s.leaderId(), s.term(), s.commit(), s.applied(), s.lastIndex(),
                lastSnapshotIndex, Map.copyOf(peers), s.conf().voters(), match, s.conf().learners(),
                activePeers(s));
    }

    /** On the leader: which members it heard from within the last election timeout; else empty. */
    private Map<Long, Boolean> activePeers(Status s) {
        if (s.progress().isEmpty()) {
            lastActiveNanos.clear();
            return Map.of();
        }
        long now = System.nanoTime();
        long window = TimeUnit.MILLISECONDS.toNanos(cfg.tickMillis() * cfg.electionTicks());
        Map<Long, Boolean> active = new TreeMap<>();
        s.progress().forEach((id, p) -> {
            if (p.recentActive() || id == cfg.nodeId()) {
                lastActiveNanos.put(id, now);
            }
            Long seen = lastActiveNanos.get(id);
            active.put(id, seen != null && now - seen <= window);
        });
        lastActiveNanos.keySet().retainAll(s.progress().keySet());
        return active;
    }

    private Map<Long, String> otherPeers() {
        Map<Long, String> others = new TreeMap<>(peers);
        others.remove(cfg.nodeId());
        return others;
    }

    private NotLeaderException notLeader(ProposalRejectedException e) {
        long lead = e.leaderId();
        return new NotLeaderException(e.getMessage(), lead, lead == 0 ? null : peers.get(lead));
    }

    /** Fails every caller still waiting; queued tasks are dropped unrun. */
    private void failAll(RuntimeException e) {
        inbox.clear();
        for (CompletableFuture<?> f : List.copyOf(outstanding)) {
            f.completeExceptionally(e);
        }
    }

    /** Stops the loop, the apply stage and the transport, then closes the store. */
    @Override
    public void close() {
        running = false;
        loop.interrupt();
        try {
            loop.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Waits out a turn running on a transport thread; none starts after (running is false).
        turn.lock();
        applier.close();
        snapshotThread.shutdown();
        try {
            if (!snapshotThread.awaitTermination(60, TimeUnit.SECONDS)) {
                LOG.warn("node {}: a snapshot still runs after 60 s; closing the store under it", cfg.nodeId());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        transport.close();
        store.close();
        LOG.info("node {} stopped", cfg.nodeId());
    }
}
