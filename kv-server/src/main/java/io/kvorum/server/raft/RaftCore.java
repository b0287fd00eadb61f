package io.kvorum.server.raft;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The Raft consensus core: a pure, single-threaded, deterministic state machine in the shape
 * of etcd-io/raft. {@link #tick()}, {@link #step(Message)}, {@link #propose(byte[])},
 * {@link #readIndex(long)} and friends change memory only; {@link #ready()} hands out what the
 * node must persist, send and apply; {@link #advance(Ready)} says it was done. All randomness
 * comes from {@link RaftConfig#seed()}, so a run replays exactly.
 *
 * <p>Features: pre-vote and check-quorum; pipelined, batched replication with fast
 * backtracking; commit only by counting entries of the current term; batched ReadIndex that
 * waits for a commit in the leader's term; proposal forwarding; learners; single-server
 * membership changes applied when the entry is applied, one at a time and only after the
 * leader committed in its term; leadership transfer; snapshots for followers behind the
 * compacted prefix; durability by contract (see {@link Ready}).
 */
public final class RaftCore {
    /** Marks a vote request that comes from a leadership transfer: it bypasses leases. */
    private static final long CAMPAIGN_TRANSFER = 1;
    /** Ticks between the campaigns of followers that lost the same leader ({@link #reportLeaderGone}). */
    static final int GONE_STAGGER_TICKS = 2;

    private final RaftConfig cfg;
    private final long id;
    private final Random random;
    private final RaftLog log;

    private long term;
    private long vote;
    private long leaderId;
    private Role role = Role.FOLLOWER;
    private ConfState conf;
    /**
     * The log index {@link #conf} reflects: the last applied conf change, or a restored
     * snapshot's index. A conf change at or below it is already part of {@code conf}.
     */
    private long confIndex;

    private final Map<Long, Progress> progress = new HashMap<>();
    private final Map<Long, Boolean> votes = new HashMap<>();
    private final ReadIndexTracker reads = new ReadIndexTracker();
    /** A follower's reads waiting to be sent to the leader in one READ_INDEX message. */
    private final List<Long> followerReads = new ArrayList<>();
    /**
     * Ticks since this follower forwarded reads the leader has not answered yet, or -1. While
     * one READ_INDEX is out, newer reads wait to be forwarded together, as the leader's rounds
     * do; after a heartbeat interval without an answer (lost, or the leader dropped it), the
     * next ones go anyway.
     */
    private int followerReadOutTicks = -1;
    /**
     * A leader's reads parked until it has committed an entry of its term: until then its commit
     * index may be stale (etcd-io/etcd#7331).
     */
    private final List<ReadIndexTracker.Request> parkedReads = new ArrayList<>();

    private int electionElapsed;
    private int heartbeatElapsed;
    /** Ticks since the current leadership transfer began; it is abandoned after an election timeout. */
    private int transferElapsed;
    /** New entries were appended since the last Ready: followers get them in one APPEND each. */
    private boolean appendPending;
    private int randomizedElectionTimeout;
    /**
     * The transport saw our leader's process die ({@link #reportLeaderGone}) and since then we
     * heard from no leader and voted for no candidate: a pre-vote that fails is retried after a
     * short timeout ({@link #electionTimeoutDraw}) rather than a full one. Only the retry is
     * quick: a pre-vote still needs a quorum that no longer hears from a live leader, and a
     * candidate still waits a full timeout for its votes.
     */
    private boolean leaderLost;
    private long leadTransferee;
    /** Index of the latest conf change the leader proposed; none may follow until it is applied. */
    private long pendingConfIndex;
    private long uncommittedBytes;

    private final List<Message> msgs = new ArrayList<>();
    private final List<Message> msgsAfterPersist = new ArrayList<>();
    private final List<ReadState> readStates = new ArrayList<>();

    private HardState lastHandedOutHardState;
    private SoftState lastHandedOutSoftState;
    private boolean readyInFlight;

    public RaftCore(RaftConfig config, RaftStorage storage) {
        this.cfg = config;
        this.id = config.id();
        this.random = new Random(config.seed());
        InitialState init = storage.initialState();
        this.log = new RaftLog(storage, config.applied());
        this.conf = init.confState();
        this.confIndex = log.applied;
        HardState hs = init.hardState();
        this.term = hs.term();
        this.vote = hs.vote();
        this.lastHandedOutHardState = new HardState(term, vote, log.committed);
        this.lastHandedOutSoftState = new SoftState(0, Role.FOLLOWER);
        becomeFollower(term, 0);
    }

    // ---------------------------------------------------------------- public surface

    /** Advances the logical clock by one tick. */
    public void tick() {
        if (role == Role.LEADER) {
            tickLeader();
        } else {
            tickElection();
        }
    }

    /** Delivers a message from the network. Messages for other nodes are ignored. */
    public void step(Message m) {
        if (m.to() != id) {
            return;
        }
        if (m.type() == MessageType.PROPOSE || m.type() == MessageType.READ_INDEX) {
            stepRole(m);
            return;
        }
        if (m.term() > term) {
            if (m.type() == MessageType.VOTE || m.type() == MessageType.PRE_VOTE) {
                boolean force = m.context() == CAMPAIGN_TRANSFER;
                boolean inLease = cfg.checkQuorum() && leaderId != 0 && electionElapsed < cfg.electionTicks();
                if (!force && inLease) {
                    // A leader we heard from lately is alive: a disruptive candidate is ignored
                    // (thesis §4.2.3), which is what keeps a flapping node from deposing it.
                    return;
                }
            }
            if (m.type() == MessageType.PRE_VOTE) {
                // A pre-vote does not change our term.
            } else if (m.type() == MessageType.PRE_VOTE_RESPONSE && !m.reject()) {
                // Granted at term+1: we raise our term only when we campaign for real.
            } else if (m.type() == MessageType.APPEND || m.type() == MessageType.HEARTBEAT
                    || m.type() == MessageType.SNAPSHOT) {
                becomeFollower(m.term(), m.from());
            } else {
                becomeFollower(m.term(), 0);
            }
        } else if (m.term() < term) {
            if ((cfg.checkQuorum() || cfg.preVote())
                    && (m.type() == MessageType.HEARTBEAT || m.type() == MessageType.APPEND)) {
                // A stale leader cut off by a partition learns our term this way and steps down
                // (etcd-io/etcd#8501); without it pre-vote can leave it stuck for ever.
                send(Message.builder(MessageType.APPEND_RESPONSE).to(m.from()));
            } else if (m.type() == MessageType.PRE_VOTE) {
                // Reject rather than drop, so the pre-candidate learns our term (etcd-io/etcd#8501).
                send(Message.builder(MessageType.PRE_VOTE_RESPONSE).to(m.from()).reject(true));
            }
            return;
        }

        switch (m.type()) {
            case VOTE, PRE_VOTE -> handleVoteRequest(m);
            default -> stepRole(m);
        }
    }

    /**
     * Proposes a state-machine command. On a follower it is forwarded to the leader.
     *
     * @throws ProposalRejectedException when no leader is known, a transfer is in progress or
     *                                   too many bytes are uncommitted
     */
    public void propose(byte[] data) {
        if (role == Role.LEADER) {
            if (leadTransferee != 0) {
                throw new ProposalRejectedException(ProposalRejectedException.Reason.TRANSFERRING, leaderId,
                        "leadership is being transferred to node " + leadTransferee);
            }
            if (!appendEntries(List.of(Entry.normal(0, 0, data)))) {
                throw new ProposalRejectedException(ProposalRejectedException.Reason.TOO_MUCH_UNCOMMITTED, id,
                        uncommittedBytes + " bytes are waiting for a quorum");
            }
            return;
        }
        if (leaderId == 0) {
            throw noLeader();
        }
        send(Message.builder(MessageType.PROPOSE).to(leaderId).term(0)
                .entries(List.of(Entry.normal(0, 0, data))));
    }

    /**
     * Proposes a single-server membership change. Only the leader takes it, only once it has
     * committed an entry of its term, and only when no earlier change is still unapplied
     * (single-server changes are safe only then: Ongaro, raft-dev, 2015).
     */
    public void proposeConfChange(ConfChange cc) {
        if (role != Role.LEADER) {
            throw new ProposalRejectedException(ProposalRejectedException.Reason.NOT_LEADER, leaderId,
                    "membership changes go to the leader" + (leaderId != 0 ? " (node " + leaderId + ")" : ""));
        }
        if (leadTransferee != 0) {
            throw new ProposalRejectedException(ProposalRejectedException.Reason.TRANSFERRING, leaderId,
                    "leadership is being transferred to node " + leadTransferee);
        }
        if (!committedInTerm() || pendingConfIndex > log.applied) {
            throw new ProposalRejectedException(ProposalRejectedException.Reason.CONF_CHANGE_PENDING, id,
                    "a membership change is still pending; retry when it has been applied");
        }
        String invalid = invalidChange(cc);
        if (invalid != null) {
            throw new ProposalRejectedException(ProposalRejectedException.Reason.INVALID_CHANGE, id, invalid);
        }
        if (!appendEntries(List.of(new Entry(0, 0, EntryType.CONF_CHANGE, cc.encode())))) {
            throw new ProposalRejectedException(ProposalRejectedException.Reason.TOO_MUCH_UNCOMMITTED, id,
                    uncommittedBytes + " bytes are waiting for a quorum");
        }
        pendingConfIndex = log.lastIndex();
    }

    /**
     * Requests a linearizable read. A later Ready carries {@code ReadState(context, index)}:
     * the read may be served once the applied index reaches {@code index}. A read may be
     * dropped silently when leadership changes; callers time out and retry.
     */
    public void readIndex(long context) {
        if (role == Role.LEADER) {
            leaderRead(new ReadIndexTracker.Request(id, List.of(context)));
            return;
        }
        if (leaderId == 0) {
            throw noLeader();
        }
        followerReads.add(context);
    }

    /** Hands leadership to {@code to} once its log is caught up (thesis §3.10). */
    public void transferLeadership(long to) {
        if (role != Role.LEADER) {
            throw new ProposalRejectedException(ProposalRejectedException.Reason.NOT_LEADER, leaderId,
                    "only the leader can transfer leadership");
        }
        if (to == id || to == leadTransferee) {
            return;
        }
        if (!conf.voters().contains(to)) {
            throw new ProposalRejectedException(ProposalRejectedException.Reason.INVALID_CHANGE, id,
                    "node " + to + " is not a voter");
        }
        leadTransferee = to;
        // The transfer must finish within one election timeout or it is abandoned.
        transferElapsed = 0;
        Progress pr = progress.get(to);
        if (pr.match == log.lastIndex()) {
            sendTimeoutNow(to);
        } else {
            sendAppend(to, true);
        }
    }

    /** Starts an election now, as if the election timeout had passed. */
    public void campaign() {
        if (role != Role.LEADER) {
            startElection(false, false);
        }
    }

    /** The transport could not reach {@code peer}: stop pipelining to it. */
    public void reportUnreachable(long peer) {
        Progress pr = progress.get(peer);
        if (role == Role.LEADER && pr != null && pr.state == ProgressState.REPLICATE) {
            pr.becomeProbe();
        }
    }

    /**
     * The transport saw {@code peer}'s connection to us end (its process died, or it closed it).
     * If {@code peer} is our leader, its lease no longer holds here and we campaign (pre-vote)
     * within {@value #GONE_STAGGER_TICKS} ticks times our rank among the other voters (lowest id
     * first), instead of waiting out the election timeout: followers that lost the same leader
     * at the same moment take turns rather than split the vote. A false alarm costs nothing:
     * the pre-vote fails while the other voters still hear from a live leader, and its next
     * heartbeat makes it our leader again. Never later than the timeout would have been. Until a
     * leader is heard from, a failed pre-vote is retried after a short timeout (e.g. one the
     * others still dropped as inside the dead leader's lease).
     */
    public void reportLeaderGone(long peer) {
        if (role != Role.FOLLOWER || peer == 0 || leaderId != peer || !promotable()) {
            return;
        }
        int rank = 0;
        for (long v : conf.voters()) {
            if (v != peer && v < id) {
                rank++;
            }
        }
        leaderId = 0;
        leaderLost = true;
        electionElapsed = Math.max(electionElapsed, randomizedElectionTimeout - 1 - rank * GONE_STAGGER_TICKS);
    }

    /** The node finished (or failed) streaming a snapshot to {@code peer}. */
    public void reportSnapshot(long peer, boolean ok) {
        Progress pr = progress.get(peer);
        if (role != Role.LEADER || pr == null || pr.state != ProgressState.SNAPSHOT) {
            return;
        }
        if (!ok) {
            pr.pendingSnapshot = 0;
        }
        // Wait for the follower's append response (or next heartbeat) before sending more.
        pr.becomeProbe();
        pr.probeSent = true;
    }

    public boolean hasReady() {
        if (readyInFlight) {
            return false;
        }
        return !msgs.isEmpty() || !msgsAfterPersist.isEmpty() || !readStates.isEmpty()
                || !log.unstable.entries.isEmpty() || log.unstable.snapshot != null
                || log.hasNextCommitted() || !hardState().equals(lastHandedOutHardState)
                || !softState().equals(lastHandedOutSoftState)
                || (role == Role.LEADER && (reads.canStartRound() || appendPending))
                || (role != Role.LEADER && followerMayForwardReads());
    }

    /** What the node must do now; see {@link Ready} for the contract. Call advance() after. */
    public Ready ready() {
        if (readyInFlight) {
            throw new IllegalStateException("ready() called again before advance()");
        }
        flushAppends();
        flushReads();
        HardState hs = hardState();
        SoftState ss = softState();
        boolean termOrVoteChanged = hs.term() != lastHandedOutHardState.term()
                || hs.vote() != lastHandedOutHardState.vote();
        Ready rd = new Ready(
                ss.equals(lastHandedOutSoftState) ? null : ss,
                hs.equals(lastHandedOutHardState) ? null : hs,
                List.copyOf(log.unstable.entries),
                log.unstable.snapshot,
                log.nextCommitted(cfg.maxApplyBytes()),
                List.copyOf(msgs),
                List.copyOf(msgsAfterPersist),
                List.copyOf(readStates),
                termOrVoteChanged || !log.unstable.entries.isEmpty() || log.unstable.snapshot != null);
        msgs.clear();
        msgsAfterPersist.clear();
        readStates.clear();
        lastHandedOutHardState = hs;
        lastHandedOutSoftState = ss;
        readyInFlight = true;
        if (role == Role.LEADER) {
            for (Entry e : rd.committedEntries()) {
                uncommittedBytes = Math.max(0, uncommittedBytes - e.sizeBytes());
            }
        }
        return rd;
    }

    /** The node did what {@code rd} asked: persisted, sent and applied it. */
    public void advance(Ready rd) {
        if (!readyInFlight) {
            throw new IllegalStateException("advance() without ready()");
        }
        readyInFlight = false;
        if (rd.snapshot() != null) {
            log.unstable.stableSnapTo(rd.snapshot().index());
            log.appliedTo(rd.snapshot().index());
        }
        if (!rd.entries().isEmpty()) {
            Entry last = rd.entries().get(rd.entries().size() - 1);
            log.unstable.stableTo(last.index(), last.term());
            if (role == Role.LEADER) {
                // The leader counts itself only for entries durable on its own disk.
                Progress self = progress.get(id);
                if (self != null && self.maybeUpdate(log.lastStableIndex()) && maybeCommit()) {
                    bcastAppend();
                }
            }
        }
        HardState persisted = rd.hardState();
        if (persisted != null && role == Role.CANDIDATE && persisted.term() == term && persisted.vote() == id) {
            // Our own vote counts only once it is durable, like any other.
            recordVote(id, true);
        }
        for (Entry e : rd.committedEntries()) {
            log.appliedTo(e.index());
            // A snapshot restored since this Ready was handed out already holds the membership
            // of every entry up to its index: applying an older change again would corrupt it.
            if (e.type() == EntryType.CONF_CHANGE && e.index() > confIndex) {
                confIndex = e.index();
                applyConfChange(ConfChange.decode(e.data()));
            }
        }
    }

    /**
     * Whether this node can take a proposal now: a leader not handing over leadership, or a
     * follower that knows a leader to forward it to. A proposal made otherwise is refused.
     */
    public boolean acceptsProposals() {
        return role == Role.LEADER ? leadTransferee == 0 : leaderId != 0;
    }

    public Status status() {
        Map<Long, Status.PeerProgress> view = new LinkedHashMap<>();
        if (role == Role.LEADER) {
            for (long peer : conf.members()) {
                Progress pr = progress.get(peer);
                if (pr != null) {
                    view.put(peer, new Status.PeerProgress(pr.match, pr.next, pr.state, pr.recentActive));
                }
            }
        }
        return new Status(id, role, term, vote, leaderId, log.committed, log.applied, log.lastIndex(), conf, view);
    }

    /**
     * The term of the entry at {@code index} in this core's log, durable or not; -1 when
     * compacted or beyond the last index. For invariant checks and status.
     */
    public long logTerm(long index) {
        if (index > log.lastIndex()) {
            return -1;
        }
        long t = log.term(index);
        return t < 0 ? -1 : t;
    }

    // ---------------------------------------------------------------- roles

    private void becomeFollower(long newTerm, long lead) {
        if (lead != 0) {
            leaderLost = false;
        }
        reset(newTerm);
        leaderId = lead;
        role = Role.FOLLOWER;
    }

    private void becomePreCandidate() {
        // Term and vote stay: a pre-vote changes nothing durable (thesis §9.6).
        votes.clear();
        clearLeaderState();
        leaderId = 0;
        role = Role.PRE_CANDIDATE;
    }

    private void becomeCandidate() {
        reset(term + 1);
        // A real vote waits for the voters' disks (a grant is sent once persisted): a candidate
        // that gave up its term after a short timeout would, on a slow disk, keep abandoning
        // terms just before the grants arrived. Only pre-vote retries are quick.
        randomizedElectionTimeout = fullElectionTimeout();
        vote = id;
        role = Role.CANDIDATE;
    }

    private void becomeLeader() {
        leaderLost = false;
        reset(term);
        leaderId = id;
        role = Role.LEADER;
        for (long peer : conf.members()) {
            progress.put(peer, new Progress(log.lastIndex() + 1, cfg.maxInflightMsgs(), cfg.maxInflightBytes()));
        }
        Progress self = progress.computeIfAbsent(id, k -> new Progress(log.lastIndex() + 1, cfg.maxInflightMsgs(), cfg.maxInflightBytes()));
        self.match = log.lastStableIndex();
        self.becomeReplicate();
        self.recentActive = true;
        // Any conf change in the uncommitted tail may still be pending.
        pendingConfIndex = log.lastIndex();
        // Figure 8: entries of earlier terms commit only under an entry of this term.
        appendEntries(List.of(Entry.normal(0, 0, null)));
    }

    private void reset(long newTerm) {
        if (newTerm != term) {
            term = newTerm;
            vote = 0;
        }
        leaderId = 0;
        electionElapsed = 0;
        heartbeatElapsed = 0;
        randomizedElectionTimeout = electionTimeoutDraw();
        votes.clear();
        clearLeaderState();
    }

    /**
     * A fresh election timeout: random in [base, 2*base) so that followers seldom campaign at
     * once; after the leader's process died ({@link #leaderLost}), random in [base/4, 3*base/4)
     * (at least 2 ticks): there is no live leader left to disrupt, and a retry waiting a whole
     * timeout is what made the slow failovers slow.
     */
    private int electionTimeoutDraw() {
        int base = cfg.electionTicks();
        if (leaderLost) {
            return Math.max(2, base / 4) + random.nextInt(Math.max(1, base / 2));
        }
        return fullElectionTimeout();
    }

    private int fullElectionTimeout() {
        return cfg.electionTicks() + random.nextInt(cfg.electionTicks());
    }

    /** A leader of our term spoke to us: it is our leader, and its lease starts now. */
    private void heardFromLeader(long from) {
        electionElapsed = 0;
        leaderId = from;
        endLeaderLoss();
    }

    /**
     * Back to whole election timeouts: a leader was heard from (a late heartbeat is not a dead
     * leader), or we granted our vote and the candidate should have the time to reach us as
     * leader before we campaign against it.
     */
    private void endLeaderLoss() {
        if (leaderLost) {
            leaderLost = false;
            randomizedElectionTimeout = electionTimeoutDraw();
        }
    }

    private void clearLeaderState() {
        progress.clear();
        leadTransferee = 0;
        pendingConfIndex = 0;
        uncommittedBytes = 0;
        reads.clear();
        parkedReads.clear();
        followerReads.clear();
        followerReadOutTicks = -1;
    }

    private boolean promotable() {
        return conf.voters().contains(id);
    }

    // ---------------------------------------------------------------- timers

    private void tickElection() {
        electionElapsed++;
        if (followerReadOutTicks >= 0 && ++followerReadOutTicks >= cfg.heartbeatTicks()) {
            followerReadOutTicks = -1;
        }
        if (promotable() && electionElapsed >= randomizedElectionTimeout) {
            electionElapsed = 0;
            if (leaderLost) {
                // A pre-candidate keeps its timeout: draw the short one for the retry of this campaign.
                randomizedElectionTimeout = electionTimeoutDraw();
            }
            startElection(false, false);
        }
    }

    private void tickLeader() {
        heartbeatElapsed++;
        electionElapsed++;
        if (electionElapsed >= cfg.electionTicks()) {
            electionElapsed = 0;
            if (cfg.checkQuorum() && !quorumActive()) {
                // Cut off from a quorum: stop acting as leader so clients go elsewhere.
                becomeFollower(term, 0);
                return;
            }
        }
        if (leadTransferee != 0 && ++transferElapsed >= cfg.electionTicks()) {
            leadTransferee = 0;
        }
        if (heartbeatElapsed >= cfg.heartbeatTicks()) {
            heartbeatElapsed = 0;
            // Reads waiting behind a round that is out get a round of their own here: if that
            // round's heartbeats were lost, they wait a heartbeat interval, not until it is confirmed.
            if (reads.waitingBehindRound()) {
                reads.startRound(log.committed);
            }
            bcastHeartbeat(reads.newestPendingRound());
        }
    }

    private boolean quorumActive() {
        int active = 0;
        for (long v : conf.voters()) {
            Progress pr = progress.get(v);
            if (v == id || (pr != null && pr.recentActive)) {
                active++;
            }
        }
        for (Map.Entry<Long, Progress> e : progress.entrySet()) {
            if (e.getKey() != id) {
                e.getValue().recentActive = false;
            }
        }
        return active >= conf.quorum();
    }

    // ---------------------------------------------------------------- elections

    /**
     * @param skipPreVote go straight to a real vote (after winning a pre-vote, or on transfer)
     * @param transfer    the vote comes from a leadership transfer and bypasses leases
     */
    private void startElection(boolean skipPreVote, boolean transfer) {
        if (!promotable()) {
            return;
        }
        boolean pre = cfg.preVote() && !skipPreVote;
        long voteTerm;
        MessageType type;
        if (pre) {
            becomePreCandidate();
            voteTerm = term + 1;
            type = MessageType.PRE_VOTE;
            recordVote(id, true);
            if (role != Role.PRE_CANDIDATE) {
                return; // a one-voter cluster wins its pre-vote alone
            }
        } else {
            becomeCandidate();
            voteTerm = term;
            type = MessageType.VOTE;
            // Our own vote is counted in advance(), once term and vote are durable.
        }
        for (long peer : conf.voters()) {
            if (peer == id) {
                continue;
            }
            send(Message.builder(type).to(peer).term(voteTerm).index(log.lastIndex()).logTerm(log.lastTerm())
                    .context(transfer ? CAMPAIGN_TRANSFER : 0));
        }
    }

    private void handleVoteRequest(Message m) {
        boolean pre = m.type() == MessageType.PRE_VOTE;
        boolean canVote = vote == m.from()
                || (vote == 0 && leaderId == 0)
                || (pre && m.term() > term);
        if (canVote && log.isUpToDate(m.index(), m.logTerm())) {
            MessageType resp = pre ? MessageType.PRE_VOTE_RESPONSE : MessageType.VOTE_RESPONSE;
            // A pre-vote grant answers at the requested term so the requester counts it.
            send(Message.builder(resp).to(m.from()).term(m.term()));
            if (!pre) {
                electionElapsed = 0;
                vote = m.from();
                endLeaderLoss();
            } else if (role == Role.PRE_CANDIDATE && ranksAhead(m)) {
                // Two nodes campaigning at once would each grant the other's pre-vote, both ask
                // for real votes and split them, costing another timeout. The one ranked behind
                // steps back (its timer runs on, so it retries if the other fails); the one ahead
                // grants and carries on, so at most one of them moves on to the real vote.
                role = Role.FOLLOWER;
                votes.clear();
            }
        } else {
            MessageType resp = pre ? MessageType.PRE_VOTE_RESPONSE : MessageType.VOTE_RESPONSE;
            send(Message.builder(resp).to(m.from()).reject(true));
        }
    }

    /**
     * Whether the asker of a vote we grant (so its log is at least as up to date as ours) ranks
     * ahead of us: a log strictly more up to date, or the same last entry and a lower id (the
     * order {@link #reportLeaderGone} staggers campaigns in).
     */
    private boolean ranksAhead(Message m) {
        boolean sameLog = m.logTerm() == log.lastTerm() && m.index() == log.lastIndex();
        return !sameLog || m.from() < id;
    }

    private void recordVote(long from, boolean granted) {
        votes.putIfAbsent(from, granted);
        int yes = 0;
        int no = 0;
        for (long v : conf.voters()) {
            Boolean g = votes.get(v);
            if (g == null) {
                continue;
            }
            if (g) {
                yes++;
            } else {
                no++;
            }
        }
        if (yes >= conf.quorum()) {
            if (role == Role.PRE_CANDIDATE) {
                startElection(true, false);
            } else if (role == Role.CANDIDATE) {
                becomeLeader();
                bcastAppend();
            }
        } else if (no >= conf.quorum()) {
            becomeFollower(term, 0);
        }
    }

    // ---------------------------------------------------------------- per-role message handling

    private void stepRole(Message m) {
        switch (role) {
            case LEADER -> stepLeader(m);
            case FOLLOWER -> stepFollower(m);
            case PRE_CANDIDATE, CANDIDATE -> stepCandidate(m);
        }
    }

    private void stepLeader(Message m) {
        switch (m.type()) {
            case PROPOSE -> {
                // Forwarded conf changes are refused: they must pass proposeConfChange's checks.
                if (leadTransferee != 0 || m.entries().stream().anyMatch(e -> e.type() == EntryType.CONF_CHANGE)) {
                    return;
                }
                appendEntries(m.entries());
            }
            case READ_INDEX -> leaderRead(new ReadIndexTracker.Request(m.from(), m.contexts()));
            case APPEND_RESPONSE -> handleAppendResponse(m);
            case HEARTBEAT_RESPONSE -> handleHeartbeatResponse(m);
            default -> {
                // Other messages at our own term make no sense for a leader; nothing to do.
            }
        }
    }

    private void stepFollower(Message m) {
        switch (m.type()) {
            case PROPOSE -> {
                if (leaderId != 0) {
                    send(Message.builder(MessageType.PROPOSE).to(leaderId).term(0).entries(m.entries()));
                }
            }
            case APPEND -> {
                heardFromLeader(m.from());
                handleAppend(m);
            }
            case HEARTBEAT -> {
                heardFromLeader(m.from());
                handleHeartbeat(m);
            }
            case SNAPSHOT -> {
                heardFromLeader(m.from());
                handleSnapshot(m);
            }
            case TIMEOUT_NOW -> startElection(true, true);
            case READ_INDEX -> {
                // A read forwarded to us while we are not leader: drop; the asker retries.
            }
            case READ_INDEX_RESPONSE -> {
                for (long ctx : m.contexts()) {
                    readStates.add(new ReadState(ctx, m.index()));
                }
                followerReadOutTicks = -1;
            }
            default -> {
                // Responses meant for a leader or candidate of this term: stale, ignore.
            }
        }
    }

    private void stepCandidate(Message m) {
        MessageType myResponse = role == Role.PRE_CANDIDATE ? MessageType.PRE_VOTE_RESPONSE : MessageType.VOTE_RESPONSE;
        switch (m.type()) {
            case APPEND -> {
                becomeFollower(m.term(), m.from());
                handleAppend(m);
            }
            case HEARTBEAT -> {
                becomeFollower(m.term(), m.from());
                handleHeartbeat(m);
            }
            case SNAPSHOT -> {
                becomeFollower(m.term(), m.from());
                handleSnapshot(m);
            }
            default -> {
                if (m.type() == myResponse) {
                    recordVote(m.from(), !m.reject());
                }
                // Proposals and reads without a leader are dropped; callers retry.
            }
        }
    }

    // ---------------------------------------------------------------- follower side of replication

    private void handleAppend(Message m) {
        if (m.index() < log.committed) {
            send(Message.builder(MessageType.APPEND_RESPONSE).to(m.from()).index(log.committed));
            return;
        }
        long lastNew = log.maybeAppend(m.index(), m.logTerm(), m.commit(), m.entries());
        if (lastNew >= 0) {
            send(Message.builder(MessageType.APPEND_RESPONSE).to(m.from()).index(lastNew));
            return;
        }
        long[] hint = log.findConflictByTerm(Math.min(m.index(), log.lastIndex()), m.logTerm());
        send(Message.builder(MessageType.APPEND_RESPONSE).to(m.from()).index(m.index()).reject(true)
                .rejectHint(hint[0]).logTerm(hint[1]));
    }

    private void handleHeartbeat(Message m) {
        // The leader sends min(match, commit), an index where our log matches its own.
        log.commitTo(Math.min(m.commit(), log.lastIndex()));
        send(Message.builder(MessageType.HEARTBEAT_RESPONSE).to(m.from()).context(m.context()));
    }

    private void handleSnapshot(Message m) {
        SnapshotMeta s = m.snapshot();
        if (restore(s)) {
            send(Message.builder(MessageType.APPEND_RESPONSE).to(m.from()).index(log.lastIndex()));
        } else {
            send(Message.builder(MessageType.APPEND_RESPONSE).to(m.from()).index(log.committed));
        }
    }

    /** Installs a snapshot unless we already have what it covers. */
    private boolean restore(SnapshotMeta s) {
        if (s.index() <= log.committed) {
            return false;
        }
        if (log.matchTerm(s.index(), s.term())) {
            // We hold the entry the snapshot ends with: keep our log, just commit up to it.
            log.commitTo(s.index());
            return false;
        }
        // Our entry at the snapshot's index (if any) conflicts: the whole log goes (keeping any of
        // it is the install race of hashicorp/raft#704).
        log.restore(s);
        conf = s.conf();
        confIndex = s.index();
        return true;
    }

    // ---------------------------------------------------------------- leader side of replication

    /** Appends proposals at this term; false if the uncommitted cap refuses them. */
    private boolean appendEntries(List<Entry> proposed) {
        long size = 0;
        for (Entry e : proposed) {
            size += e.sizeBytes();
        }
        if (uncommittedBytes > 0 && uncommittedBytes + size > cfg.maxUncommittedBytes()) {
            return false;
        }
        uncommittedBytes += size;
        long last = log.lastIndex();
        List<Entry> ents = new ArrayList<>(proposed.size());
        for (int i = 0; i < proposed.size(); i++) {
            ents.add(proposed.get(i).at(term, last + 1 + i));
        }
        log.append(ents);
        appendPending = true;
        return true;
    }

    private void handleAppendResponse(Message m) {
        Progress pr = progress.get(m.from());
        if (pr == null) {
            return;
        }
        pr.recentActive = true;
        if (m.reject()) {
            if (pr.maybeDecrTo(m.index(), nextProbeHint(m))) {
                if (pr.state == ProgressState.REPLICATE) {
                    pr.becomeProbe();
                }
                sendAppend(m.from(), true);
            }
            return;
        }
        if (!pr.maybeUpdate(m.index())) {
            return;
        }
        pr.ackedSinceHeartbeat = true;
        switch (pr.state) {
            case PROBE -> pr.becomeReplicate();
            case SNAPSHOT -> {
                if (pr.match >= pr.pendingSnapshot) {
                    pr.becomeProbe();
                    pr.becomeReplicate();
                }
            }
            case REPLICATE -> pr.freeInflightUpTo(m.index());
        }
        if (maybeCommit()) {
            bcastAppend();
        }
        // Keep the pipeline full: send what is new, as much as the window allows.
        while (sendAppend(m.from(), false)) {
            // loop until paused or caught up
        }
        if (m.from() == leadTransferee && pr.match == log.lastIndex()) {
            sendTimeoutNow(m.from());
        }
    }

    /** Where to probe next after a rejection: skip the follower's whole conflicting term. */
    private long nextProbeHint(Message m) {
        long hintIndex = m.rejectHint();
        if (m.logTerm() > 0) {
            long[] ours = log.findConflictByTerm(hintIndex, m.logTerm());
            hintIndex = ours[0];
        }
        return hintIndex;
    }

    private void handleHeartbeatResponse(Message m) {
        Progress pr = progress.get(m.from());
        if (pr == null) {
            return;
        }
        pr.recentActive = true;
        pr.probeSent = false;
        boolean acked = pr.ackedSinceHeartbeat;
        pr.ackedSinceHeartbeat = false;
        if (pr.state == ProgressState.REPLICATE && pr.isPaused()) {
            // A full window that did not move for a heartbeat round may be full of lost
            // appends (one that moved belongs to a slow follower: leave it be). An empty
            // append at next-1, outside the window, finds out: a follower that lost them
            // rejects it and we probe back; the window itself stays bounded.
            if (!acked) {
                send(Message.builder(MessageType.APPEND).to(m.from()).index(pr.next - 1)
                        .logTerm(log.term(pr.next - 1)).commit(log.committed));
            }
        } else if (pr.match < log.lastIndex() || pr.state == ProgressState.PROBE) {
            // Even with nothing new to send: an append lost in REPLICATE is only noticed when
            // the follower rejects the next one, which an empty append provokes.
            sendAppend(m.from(), true);
        }
        if (m.context() != 0 && conf.voters().contains(m.from())) {
            reads.confirm(m.from(), m.context());
            releaseReads();
        }
    }

    private boolean committedInTerm() {
        return log.term(log.committed) == term;
    }

    /** Commits the highest index a quorum of voters holds, if it is of this term (Figure 8). */
    private boolean maybeCommit() {
        long[] matches = new long[conf.voters().size()];
        int i = 0;
        for (long v : conf.voters()) {
            Progress pr = progress.get(v);
            matches[i++] = pr == null ? 0 : pr.match;
        }
        if (matches.length == 0) {
            return false;
        }
        Arrays.sort(matches);
        long quorumMatch = matches[matches.length - conf.quorum()];
        boolean wasCommittedInTerm = committedInTerm();
        boolean moved = log.maybeCommit(quorumMatch, term);
        if (moved && !wasCommittedInTerm) {
            // The first commit of our term unparks the reads that waited for it.
            for (ReadIndexTracker.Request r : parkedReads) {
                reads.add(r);
            }
            parkedReads.clear();
        }
        return moved;
    }

    private void bcastAppend() {
        for (long peer : progress.keySet().toArray(new Long[0])) {
            if (peer != id) {
                sendAppend(peer, true);
            }
        }
    }

    private void bcastHeartbeat(long readRound) {
        for (Map.Entry<Long, Progress> e : progress.entrySet()) {
            long peer = e.getKey();
            if (peer == id) {
                continue;
            }
            Progress pr = e.getValue();
            send(Message.builder(MessageType.HEARTBEAT).to(peer).commit(Math.min(pr.match, log.committed))
                    .context(readRound));
        }
    }

    /**
     * Sends the follower what it lacks: entries if we still have them, a snapshot if not.
     *
     * @param sendIfEmpty send an empty append (to carry the commit index or probe) when there
     *                    are no new entries
     * @return whether a message was sent
     */
    private boolean sendAppend(long to, boolean sendIfEmpty) {
        Progress pr = progress.get(to);
        if (pr == null || pr.isPaused()) {
            return false;
        }
        long prevIndex = pr.next - 1;
        long prevTerm = log.term(prevIndex);
        List<Entry> ents;
        if (prevTerm == RaftLog.COMPACTED) {
            return sendSnapshot(to, pr);
        }
        try {
            ents = log.entriesFrom(pr.next, cfg.maxMsgBytes(), cfg.maxMsgEntries());
        } catch (CompactedException e) {
            return sendSnapshot(to, pr);
        }
        if (ents.isEmpty() && !sendIfEmpty) {
            return false;
        }
        send(Message.builder(MessageType.APPEND).to(to).index(prevIndex).logTerm(prevTerm)
                .entries(List.copyOf(ents)).commit(log.committed));
        if (!ents.isEmpty()) {
            long bytes = 0;
            for (Entry e : ents) {
                bytes += e.sizeBytes();
            }
            pr.sentEntries(ents.get(ents.size() - 1).index(), bytes);
        } else if (pr.state == ProgressState.PROBE) {
            pr.probeSent = true;
        }
        return !ents.isEmpty();
    }

    private boolean sendSnapshot(long to, Progress pr) {
        if (!pr.recentActive) {
            // Don't start a costly transfer to a peer we have not heard from lately.
            return false;
        }
        SnapshotMeta snap = log.snapshot();
        if (snap.isEmpty()) {
            throw new IllegalStateException("log is compacted but storage has no snapshot");
        }
        pr.becomeSnapshot(snap.index());
        send(Message.builder(MessageType.SNAPSHOT).to(to).snapshot(snap));
        return false;
    }

    private void sendTimeoutNow(long to) {
        send(Message.builder(MessageType.TIMEOUT_NOW).to(to));
    }

    // ---------------------------------------------------------------- reads

    private void leaderRead(ReadIndexTracker.Request r) {
        if (!committedInTerm()) {
            parkedReads.add(r);
            return;
        }
        reads.add(r);
    }

    /**
     * Called from ready(): sends the entries appended since the last Ready, as few APPENDs per
     * follower as the size limits and the pipelining window allow (one, usually).
     */
    private void flushAppends() {
        if (!appendPending) {
            return;
        }
        appendPending = false;
        if (role != Role.LEADER) {
            return;
        }
        for (long peer : progress.keySet().toArray(new Long[0])) {
            if (peer != id) {
                while (sendAppend(peer, false)) {
                    // until caught up, paused, or the window is full
                }
            }
        }
    }

    /**
     * Called from ready(): starts a heartbeat round for the waiting reads, unless one is out
     * (see {@link ReadIndexTracker}); a follower forwards the reads that arrived since it last
     * did, unless those are still unanswered (see {@link #followerReadOutTicks}).
     */
    private void flushReads() {
        if (role == Role.LEADER && reads.canStartRound()) {
            long round = reads.startRound(log.committed);
            if (conf.voters().size() > 1) {
                bcastHeartbeat(round);
            }
            releaseReads();
        } else if (role != Role.LEADER && followerMayForwardReads()) {
            if (leaderId != 0) {
                send(Message.builder(MessageType.READ_INDEX).to(leaderId).term(0)
                        .contexts(List.copyOf(followerReads)));
                followerReadOutTicks = 0;
            }
            followerReads.clear();
        }
    }

    /** Reads are waiting here and no forwarded request of ours is unanswered. */
    private boolean followerMayForwardReads() {
        return !followerReads.isEmpty() && followerReadOutTicks < 0;
    }

    private void releaseReads() {
        reads.releaseConfirmed(id, conf.voters(), conf.quorum(), (request, index) -> {
            if (request.origin() == id) {
                for (long ctx : request.contexts()) {
                    readStates.add(new ReadState(ctx, index));
                }
            } else {
                send(Message.builder(MessageType.READ_INDEX_RESPONSE).to(request.origin()).index(index)
                        .contexts(request.contexts()));
            }
        });
    }

    // ---------------------------------------------------------------- membership

    private String invalidChange(ConfChange cc) {
        long node = cc.nodeId();
        return switch (cc.type()) {
            case ADD_VOTER -> conf.voters().contains(node) ? "node " + node + " is already a voter" : null;
            case ADD_LEARNER -> conf.voters().contains(node) ? "node " + node + " is a voter; remove it first"
                    : conf.learners().contains(node) ? "node " + node + " is already a learner" : null;
            case REMOVE_NODE -> !conf.isMember(node) ? "node " + node + " is not a member"
                    : conf.voters().size() == 1 && conf.voters().contains(node) ? "cannot remove the last voter" : null;
        };
    }

    private void applyConfChange(ConfChange cc) {
        conf = conf.apply(cc);
        if (role != Role.LEADER) {
            return;
        }
        Set<Long> members = new HashSet<>(conf.members());
        progress.keySet().removeIf(peer -> !members.contains(peer) && peer != id);
        List<Long> added = new ArrayList<>();
        for (long peer : members) {
            if (!progress.containsKey(peer)) {
                Progress pr = new Progress(log.lastIndex() + 1, cfg.maxInflightMsgs(), cfg.maxInflightBytes());
                pr.recentActive = true;
                progress.put(peer, pr);
                added.add(peer);
            }
        }
        for (long peer : added) {
            // Start the newcomer's catch-up now rather than at the next proposal.
            sendAppend(peer, true);
        }
        if (leadTransferee != 0 && !conf.voters().contains(leadTransferee)) {
            leadTransferee = 0;
        }
        if (!conf.voters().contains(id)) {
            // We removed (or demoted) ourselves: tell followers the commit, then step down.
            bcastAppend();
            becomeFollower(term, 0);
            return;
        }
        if (maybeCommit()) {
            bcastAppend();
        }
        releaseReads();
    }

    // ---------------------------------------------------------------- plumbing

    private HardState hardState() {
        return new HardState(term, vote, log.committed);
    }

    private SoftState softState() {
        return new SoftState(leaderId, role);
    }

    private ProposalRejectedException noLeader() {
        return new ProposalRejectedException(ProposalRejectedException.Reason.NO_LEADER, 0,
                "no leader is known yet; retry shortly");
    }

    /**
     * Queues a message. Vote grants and append responses promise durable state, so they wait
     * for the Ready's persistence (etcd-io/etcd#7317); everything else may leave at once.
     */
    private void send(Message.Builder b) {
        Message m = b.from(id).build();
        if (m.term() == 0 && m.type() != MessageType.PROPOSE && m.type() != MessageType.READ_INDEX) {
            m = new Message(m.type(), m.from(), m.to(), term, m.logTerm(), m.index(), m.entries(), m.commit(),
                    m.reject(), m.rejectHint(), m.context(), m.contexts(), m.snapshot());
        }
        boolean promise = m.type() == MessageType.APPEND_RESPONSE
                || (m.type() == MessageType.VOTE_RESPONSE && !m.reject());
        (promise ? msgsAfterPersist : msgs).add(m);
    }
}
