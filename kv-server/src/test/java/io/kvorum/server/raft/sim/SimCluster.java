package io.kvorum.server.raft.sim;

import io.kvorum.server.raft.ConfChange;
import io.kvorum.server.raft.ConfChangeType;
import io.kvorum.server.raft.ConfState;
import io.kvorum.server.raft.Message;
import io.kvorum.server.raft.MessageType;
import io.kvorum.server.raft.ProposalRejectedException;
import io.kvorum.server.raft.RaftConfig;
import io.kvorum.server.raft.Role;
import io.kvorum.server.raft.Status;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * One seed's world: a cluster of cores, the simulated network, clients, and the nemesis, all
 * driven by one {@link Random}. {@link #run} is a fault phase (partitions, crashes, loss,
 * duplication, reordering, membership changes, leadership transfers, compaction, under a
 * steady client load) followed by a liveness phase (everything healed and restarted) that must
 * commit a fresh proposal on every voter within a bounded number of steps.
 *
 * <p>A step is one unit of simulated time: the nemesis and the clients may act, the messages
 * due are delivered, each node's clock may tick, and each node's Ready pipeline moves along.
 */
final class SimCluster {
    /** Steps the liveness phase may take with nothing to catch up: ~40 election timeouts. */
    static final int LIVENESS_STEPS = 800;
    /**
     * Extra steps per entry the slowest node lacks at heal time. Liveness means progress at a
     * minimum rate, not within a fixed time: with tiny messages and a window of one, a
     * follower catches up one entry per round trip (a few steps), so a fixed budget would
     * fail seeds whose only fault is a large backlog (seeds 21426, 33153, 42808, 62649, 83123
     * of a 100,000-seed run, all with ~64-byte messages and a window of one).
     */
    static final int LIVENESS_STEPS_PER_BACKLOG_ENTRY = 8;
    /** Uncommitted log tails are compared every this many steps; whole logs every FULL_CHECK_EVERY. */
    private static final int LOG_CHECK_EVERY = 8;
    private static final int FULL_CHECK_EVERY = 256;

    private final long seed;
    private final Random rng;
    private final SimParams p;
    private final SimStats stats = new SimStats();
    private final EventTrace trace;
    private final int traceLines;
    private final SimClock clock = new SimClock();
    private final SimNetwork net;
    private final InvariantChecker checker;
    private final LinearizableReads reads;
    private final ConfState bootstrap;
    /** By node id; null until a membership change first brings that id in. */
    private final SimNode[] nodes;
    private long lastWriteId;
    /** Ids whose removal a leader accepted: adding one again is a re-add. */
    private final boolean[] removed;

    SimCluster(long seed, int traceLines) {
        this.seed = seed;
        this.rng = new Random(seed);
        this.p = new SimParams(rng);
        this.traceLines = traceLines;
        this.trace = new EventTrace(traceLines);
        this.net = new SimNetwork(rng, p);
        this.checker = new InvariantChecker(p.maxId, stats, trace);
        this.reads = new LinearizableReads(stats);
        this.nodes = new SimNode[p.maxId + 1];
        this.removed = new boolean[p.maxId + 1];
        List<Long> voters = new ArrayList<>();
        for (long id = 1; id <= p.voters; id++) {
            voters.add(id);
        }
        this.bootstrap = new ConfState(new java.util.TreeSet<>(voters), java.util.Set.of());
        for (long id = 1; id <= p.voters; id++) {
            createNode(id);
        }
    }

    /** Runs the fault phase for {@code steps} steps, then the liveness phase. */
    SimStats run(int steps) {
        try {
            for (int i = 0; i < steps; i++) {
                step(true);
            }
            healAndRequireProgress();
            checker.checkLogMatching(upNodes(), true);
        } catch (Throwable t) {
            throw new SimulationFailure(seed, clock.now(), t, p.toString(), describeNodes()
                    + "  network cuts: " + net.describeCuts() + "\n" + trace.lastEvents(traceLines));
        }
        stats.seeds = 1;
        return stats;
    }

    private void step(boolean faults) {
        clock.advance();
        checker.setStep(clock.now());
        if (faults) {
            nemesis();
        }
        clients();
        deliverDue();
        for (SimNode n : upNodes()) {
            if (rng.nextDouble() < n.tickRate) {
                n.core().tick();
                checker.observe(n);
            }
            if (rng.nextDouble() < p.compactRate) {
                n.compact();
            }
        }
        for (SimNode n : upNodes()) {
            n.pump();
            if (faults && n.votedRecently() && rng.nextDouble() < p.crashAfterVoteRate) {
                // The durability trap of etcd-io/etcd#7317: a vote sent must survive a reboot.
                crash(n);
            }
        }
        if (clock.now() % LOG_CHECK_EVERY == 0) {
            checker.checkLogMatching(upNodes(), clock.now() % FULL_CHECK_EVERY == 0);
        }
        stats.steps++;
    }

    /**
     * One leader failover on a fresh cluster: once a leader has committed a client write on every
     * voter, the network stays free of loss and cuts but keeps this seed's delays (some messages
     * take several steps), the leader crashes, and each survivor's transport reports the dead
     * connection within the next 0-2 steps, as when the OS resets a killed process's sockets.
     *
     * @return steps from the crash until a survivor leads and has committed an entry of its term
     * @throws SimulationFailure if an invariant breaks, or no survivor does so within
     *                           {@link #LIVENESS_STEPS}
     */
    long failover() {
        try {
            healAndRequireProgress();
            net.calmButSlow(Math.max(0.1, p.slowRate));
            for (int i = 0; i < 20; i++) {
                step(false);
            }
            SimNode dead = leader();
            if (dead == null) {
                throw new InvariantViolation("failover: no leader to crash after warming up");
            }
            long crashedAt = clock.now();
            trace.record(crashedAt, dead.id, "CRASH", "the failover trial's leader");
            dead.crash();
            List<SimNode> survivors = upNodes();
            long[] noticeAt = new long[survivors.size()];
            for (int i = 0; i < noticeAt.length; i++) {
                noticeAt[i] = crashedAt + rng.nextInt(3);
            }
            while (clock.now() - crashedAt < LIVENESS_STEPS) {
                for (int i = 0; i < noticeAt.length; i++) {
                    if (noticeAt[i] == clock.now()) {
                        reportGone(survivors.get(i), dead.id);
                    }
                }
                step(false);
                SimNode leader = leader();
                if (leader != null) {
                    Status st = leader.core().status();
                    if (leader.core().logTerm(st.commit()) == st.term()) {
                        return clock.now() - crashedAt;
                    }
                }
            }
            throw new InvariantViolation("failover: no survivor led and committed within " + LIVENESS_STEPS
                    + " steps of the leader's crash");
        } catch (Throwable t) {
            throw new SimulationFailure(seed, clock.now(), t, p.toString(), describeNodes()
                    + "  network cuts: " + net.describeCuts() + "\n" + trace.lastEvents(traceLines));
        }
    }

    // ------------------------------------------------------------ network delivery

    private void deliverDue() {
        SimNetwork.Envelope env;
        while ((env = net.pollDue(clock.now())) != null) {
            deliver(env);
        }
    }

    private void deliver(SimNetwork.Envelope env) {
        Message m = env.msg();
        SimNode to = node(m.to());
        SimNode from = node(m.from());
        boolean senderSame = from != null && from.isUp() && from.incarnation() == env.senderIncarnation();
        boolean cut = net.isBlocked(m.from(), m.to());
        if (env.lost() || cut || to == null || !to.isUp()) {
            trace.record(clock.now(), m.to(), "DROP", m);
            if (senderSame) {
                // What a real transport would tell the core: the stream broke, the snapshot failed.
                if (m.type() == MessageType.SNAPSHOT) {
                    from.core().reportSnapshot(m.to(), false);
                    checker.observe(from);
                } else if (!env.lost() && rng.nextInt(4) == 0) {
                    from.core().reportUnreachable(m.to());
                    checker.observe(from);
                }
            }
            return;
        }
        trace.record(clock.now(), m.to(), "DELIVER", m);
        if (m.type() == MessageType.SNAPSHOT) {
            to.stageSnapshot(m.snapshot().index(), env.snapshotData());
        }
        to.core().step(m);
        checker.observe(to);
        if (m.type() == MessageType.SNAPSHOT && senderSame) {
            from.core().reportSnapshot(m.to(), true);
            checker.observe(from);
        }
        if (rng.nextInt(4) == 0) {
            to.pump(); // sometimes the node handles its Ready between two deliveries
        }
    }

    // ------------------------------------------------------------ clients

    private void clients() {
        if (rng.nextDouble() < p.writeRate) {
            write(clientTarget());
        }
        if (rng.nextDouble() < p.readRate) {
            read(clientTarget());
        }
    }

    /** Clients talk to the leader half the time and to any live node otherwise. */
    private SimNode clientTarget() {
        SimNode leader = leader();
        if (leader != null && rng.nextBoolean()) {
            return leader;
        }
        List<SimNode> up = upNodes();
        return up.isEmpty() ? null : up.get(rng.nextInt(up.size()));
    }

    /** Proposes a write with a unique id; returns the id, or 0 if the core refused it. */
    private long write(SimNode n) {
        if (n == null) {
            return 0;
        }
        long writeId = ++lastWriteId;
        int padding = rng.nextInt(4) == 0 ? rng.nextInt(200) : 0;
        try {
            n.core().propose(KvState.write(writeId, rng.nextInt(KvState.KEYS), padding));
            stats.writesProposed++;
            trace.record(clock.now(), n.id, "PROPOSE", "write " + writeId);
            return writeId;
        } catch (ProposalRejectedException e) {
            return 0; // retryable refusal: the client would retry elsewhere
        } finally {
            checker.observe(n);
        }
    }

    private void read(SimNode n) {
        if (n == null) {
            return;
        }
        long ctx = reads.nextContext();
        long known = checker.knownCommitted();
        try {
            n.core().readIndex(ctx);
            reads.issued(ctx, n.id, known, clock.now());
            trace.record(clock.now(), n.id, "READ", "ctx " + ctx + " known committed " + known);
        } catch (ProposalRejectedException e) {
            // no leader known: the client retries later
        } finally {
            checker.observe(n);
        }
    }

    // ------------------------------------------------------------ nemesis

    private void nemesis() {
        if (!net.isPartitioned()) {
            if (rng.nextDouble() < p.partitionRate) {
                partition();
            }
        } else if (rng.nextDouble() < p.healRate) {
            net.heal();
            trace.record(clock.now(), 0, "HEAL", null);
        }
        if (rng.nextDouble() < p.crashRate) {
            crashOne();
        }
        for (SimNode n : existingNodes()) {
            if (!n.isUp() && rng.nextDouble() < p.restartRate) {
                restart(n);
            }
        }
        if (rng.nextDouble() < p.confChangeRate) {
            changeMembership();
        }
        if (rng.nextDouble() < p.transferRate) {
            transferLeadership();
        }
        if (rng.nextDouble() < p.campaignRate) {
            // A false alarm: a node's connection to its live leader reset (pre-vote must contain it).
            List<SimNode> up = upNodes();
            if (!up.isEmpty()) {
                SimNode n = up.get(rng.nextInt(up.size()));
                reportGone(n, n.core().status().leaderId());
            }
        }
        if (rng.nextDouble() < p.campaignRate) {
            // Forced elections, often two at once so that candidates split the vote of one term.
            List<SimNode> up = upNodes();
            int count = rng.nextBoolean() ? 1 : 2;
            for (int i = 0; i < count && !up.isEmpty(); i++) {
                SimNode n = up.remove(rng.nextInt(up.size()));
                trace.record(clock.now(), n.id, "CAMPAIGN", null);
                n.core().campaign();
                checker.observe(n);
            }
        }
    }

    /** Random halves, an isolated leader, or one-way cuts around one node. */
    private void partition() {
        List<Long> ids = new ArrayList<>();
        for (SimNode n : existingNodes()) {
            ids.add(n.id);
        }
        Collections.shuffle(ids, rng);
        switch (rng.nextInt(3)) {
            case 0 -> {
                int cut = 1 + rng.nextInt(ids.size() - 1);
                net.split(ids.subList(0, cut), ids.subList(cut, ids.size()));
            }
            case 1 -> {
                SimNode leader = leader();
                long isolated = leader != null ? leader.id : ids.get(0);
                ids.remove(isolated);
                net.split(List.of(isolated), ids);
            }
            default -> {
                long x = ids.get(0);
                boolean deaf = rng.nextBoolean(); // deaf: hears nobody; otherwise: nobody hears it
                for (long other : ids.subList(1, ids.size())) {
                    if (rng.nextInt(4) != 0) {
                        if (deaf) {
                            net.cut(other, x);
                        } else {
                            net.cut(x, other);
                        }
                    }
                }
            }
        }
        if (net.isPartitioned()) {
            stats.partitions++;
            trace.record(clock.now(), 0, "PARTITION", net.describeCuts());
        }
    }

    /**
     * Crashes a node, preferring one caught between taking and persisting a Ready, one that has
     * just granted a vote (it must remember it), or the leader.
     */
    private void crashOne() {
        List<SimNode> up = upNodes();
        int down = existingNodes().size() - up.size();
        if (up.isEmpty() || down >= (p.voters + 1) / 2) {
            return;
        }
        SimNode victim = null;
        int choice = rng.nextInt(10);
        if (choice < 3) {
            List<SimNode> midWrite = new ArrayList<>();
            for (SimNode n : up) {
                if (n.holdsUnpersistedReady()) {
                    midWrite.add(n);
                }
            }
            if (!midWrite.isEmpty()) {
                victim = midWrite.get(rng.nextInt(midWrite.size()));
            }
        } else if (choice < 5) {
            List<SimNode> voted = new ArrayList<>();
            for (SimNode n : up) {
                if (n.votedRecently()) {
                    voted.add(n);
                }
            }
            if (!voted.isEmpty()) {
                victim = voted.get(rng.nextInt(voted.size()));
            }
        } else if (choice < 7) {
            victim = leader();
        }
        if (victim == null) {
            victim = up.get(rng.nextInt(up.size()));
        }
        crash(victim);
    }

    private void crash(SimNode victim) {
        stats.crashes++;
        if (victim.holdsUnpersistedReady()) {
            stats.crashesBeforePersist++;
        }
        trace.record(clock.now(), victim.id, "CRASH", victim.holdsUnpersistedReady() ? "with unpersisted Ready" : null);
        victim.crash();
        // The OS resets a dead process's connections: most peers notice at once (some never do).
        for (SimNode n : upNodes()) {
            if (n != victim && rng.nextInt(4) != 0) {
                reportGone(n, victim.id);
            }
        }
        if (rng.nextInt(3) == 0) {
            restart(victim); // a quick reboot: back before anyone noticed, with only its disk
        }
    }

    private void reportGone(SimNode n, long peer) {
        trace.record(clock.now(), n.id, "PEER_GONE", Long.toString(peer));
        n.core().reportLeaderGone(peer);
        checker.observe(n);
    }

    private void restart(SimNode n) {
        trace.record(clock.now(), n.id, "RESTART", "applied " + n.state().applied());
        n.start(rng.nextLong());
    }

    /**
     * One single-server change proposed at the leader: add a learner, promote it, remove a member
     * (never below three voters), re-add a removed id, and now and then add a voter directly.
     */
    private void changeMembership() {
        SimNode leader = leader();
        if (leader == null) {
            return;
        }
        ConfState conf = leader.core().status().conf();
        List<Long> outsiders = new ArrayList<>();
        for (long id = 1; id <= p.maxId; id++) {
            if (!conf.isMember(id)) {
                outsiders.add(id);
            }
        }
        List<Long> voters = new ArrayList<>(conf.voters());
        List<Long> learners = new ArrayList<>(conf.learners());
        ConfChange cc;
        int r = rng.nextInt(10);
        if (r < 3 && !learners.isEmpty() && voters.size() < 5) {
            cc = change(ConfChangeType.ADD_VOTER, pick(learners));
        } else if (r < 6 && !outsiders.isEmpty()) {
            boolean direct = rng.nextInt(5) == 0 && voters.size() < 5;
            cc = change(direct ? ConfChangeType.ADD_VOTER : ConfChangeType.ADD_LEARNER, pick(outsiders));
        } else if (!learners.isEmpty() && rng.nextBoolean()) {
            cc = change(ConfChangeType.REMOVE_NODE, pick(learners));
        } else if (voters.size() > 3) {
            cc = change(ConfChangeType.REMOVE_NODE, pick(voters));
        } else {
            return;
        }
        if (node(cc.nodeId()) == null) {
            createNode(cc.nodeId());
        }
        try {
            leader.core().proposeConfChange(cc);
            trace.record(clock.now(), leader.id, "CONF_PROPOSE", cc);
            switch (cc.type()) {
                case ADD_LEARNER -> stats.addLearnerProposals++;
                case ADD_VOTER -> stats.addVoterProposals++;
                case REMOVE_NODE -> stats.removeProposals++;
            }
            if (cc.type() == ConfChangeType.REMOVE_NODE) {
                removed[(int) cc.nodeId()] = true;
            } else if (removed[(int) cc.nodeId()]) {
                stats.reAddProposals++;
            }
        } catch (ProposalRejectedException e) {
            trace.record(clock.now(), leader.id, "CONF_REFUSED", cc + " " + e.reason());
        } finally {
            checker.observe(leader);
        }
    }

    private static ConfChange change(ConfChangeType type, long id) {
        return new ConfChange(type, id, null);
    }

    private void transferLeadership() {
        SimNode leader = leader();
        if (leader == null) {
            return;
        }
        List<Long> voters = new ArrayList<>(leader.core().status().conf().voters());
        voters.remove(leader.id);
        // Mostly to a voter; sometimes to anyone, which the core must refuse or ignore.
        long target = !voters.isEmpty() && rng.nextInt(5) != 0 ? pick(voters) : 1 + rng.nextInt(p.maxId);
        try {
            leader.core().transferLeadership(target);
            stats.transfers++;
            trace.record(clock.now(), leader.id, "TRANSFER", "to " + target);
        } catch (ProposalRejectedException e) {
            trace.record(clock.now(), leader.id, "TRANSFER_NO", "to " + target + " " + e.reason());
        } finally {
            checker.observe(leader);
        }
    }

    // ------------------------------------------------------------ liveness

    /**
     * Heal the network, restart every node, stop the nemesis: within {@link #LIVENESS_STEPS}
     * a leader must exist and a fresh proposal must be applied on every voter.
     */
    private void healAndRequireProgress() {
        net.calm();
        trace.record(clock.now(), 0, "HEAL_ALL", null);
        for (SimNode n : existingNodes()) {
            if (!n.isUp()) {
                restart(n);
            }
        }
        long start = clock.now();
        List<Long> probes = new ArrayList<>();
        long lastProbeAt = Long.MIN_VALUE / 2;
        long budget = LIVENESS_STEPS + LIVENESS_STEPS_PER_BACKLOG_ENTRY * backlog();
        for (long i = 0; i < budget; i++) {
            step(false);
            SimNode leader = leader();
            if (leader == null) {
                continue;
            }
            if (clock.now() - lastProbeAt >= 40) { // a probe can be lost with a leader change: send another
                long id = write(leader);
                if (id != 0) {
                    probes.add(id);
                    lastProbeAt = clock.now();
                }
            }
            if (probeAppliedOnAllVoters(leader, probes)) {
                stats.maxStepsToRecover = clock.now() - start;
                return;
            }
        }
        throw new InvariantViolation("liveness: " + budget + " steps after healing, no fresh proposal"
                + " was applied on every voter (leader: " + (leader() == null ? "none" : leader().id) + ")");
    }

    /** How many entries the most advanced node has that the least advanced one has not applied. */
    private long backlog() {
        long most = 0;
        long least = Long.MAX_VALUE;
        for (SimNode n : existingNodes()) {
            if (n.isUp()) {
                var st = n.core().status();
                most = Math.max(most, st.lastIndex());
                least = Math.min(least, st.applied());
            }
        }
        return least == Long.MAX_VALUE ? 0 : Math.max(0, most - least);
    }

    private boolean probeAppliedOnAllVoters(SimNode leader, List<Long> probes) {
        for (long probe : probes) {
            long index = reads.indexOfWrite(probe);
            if (index < 0) {
                continue;
            }
            boolean all = true;
            for (long v : leader.core().status().conf().voters()) {
                SimNode n = node(v);
                if (n == null || !n.isUp() || n.state().applied() < index) {
                    all = false;
                    break;
                }
            }
            if (all) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------ nodes

    private void createNode(long id) {
        RaftConfig cfg = RaftConfig.defaults(id)
                .withTicks(p.electionTicks, p.heartbeatTicks)
                .withLimits(p.maxMsgBytes, p.maxInflightMsgs, p.maxInflightBytes, p.maxUncommittedBytes);
        // A joining node boots from the same initial membership as everyone (the log's index 0),
        // which does not include it: it waits to be added and replays or receives the rest.
        SimNode n = new SimNode(id, bootstrap, cfg, rng, clock, net, checker, reads, stats, trace);
        nodes[(int) id] = n;
        n.start(rng.nextLong());
    }

    private SimNode node(long id) {
        return id > 0 && id < nodes.length ? nodes[(int) id] : null;
    }

    private List<SimNode> existingNodes() {
        List<SimNode> out = new ArrayList<>(nodes.length);
        for (SimNode n : nodes) {
            if (n != null) {
                out.add(n);
            }
        }
        return out;
    }

    private List<SimNode> upNodes() {
        List<SimNode> out = new ArrayList<>(nodes.length);
        for (SimNode n : nodes) {
            if (n != null && n.isUp()) {
                out.add(n);
            }
        }
        return out;
    }

    /** The live node that believes it leads the highest term, or null. */
    private SimNode leader() {
        SimNode best = null;
        long bestTerm = -1;
        for (SimNode n : nodes) {
            if (n != null && n.isUp()) {
                Status st = n.core().status();
                if (st.role() == Role.LEADER && st.term() > bestTerm) {
                    best = n;
                    bestTerm = st.term();
                }
            }
        }
        return best;
    }

    private long pick(List<Long> ids) {
        return ids.get(rng.nextInt(ids.size()));
    }

    private String describeNodes() {
        StringBuilder b = new StringBuilder();
        for (SimNode n : existingNodes()) {
            try {
                b.append("  ").append(n.describe()).append('\n');
            } catch (RuntimeException e) {
                b.append("  node ").append(n.id).append(": ").append(e).append('\n');
            }
        }
        return b.toString();
    }
}
