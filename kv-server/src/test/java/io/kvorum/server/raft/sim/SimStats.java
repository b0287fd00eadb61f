package io.kvorum.server.raft.sim;

/** Counters of what happened in one seed (or, summed, in a whole run). */
final class SimStats {
    long seeds;
    long steps;
    /** Times any node became leader. */
    long elections;
    long partitions;
    long crashes;
    /** Crashes that hit a node holding a Ready it had taken but not yet persisted. */
    long crashesBeforePersist;
    /** Membership changes applied (counted once, when the first node applies the entry). */
    long confChanges;
    long transfers;
    /** Membership changes the leader accepted, by kind (a re-add brings back a removed id). */
    long addLearnerProposals;
    long addVoterProposals;
    long removeProposals;
    long reAddProposals;
    /** Linearizable reads that completed and were checked. */
    long reads;
    long writesProposed;
    /** Distinct writes committed and applied somewhere. */
    long writesCommitted;
    long snapshotsInstalled;
    long compactions;
    /** Worst number of steps the liveness phase needed after healing. */
    long maxStepsToRecover;

    void add(SimStats o) {
        seeds += o.seeds;
        steps += o.steps;
        elections += o.elections;
        partitions += o.partitions;
        crashes += o.crashes;
        crashesBeforePersist += o.crashesBeforePersist;
        confChanges += o.confChanges;
        transfers += o.transfers;
        addLearnerProposals += o.addLearnerProposals;
        addVoterProposals += o.addVoterProposals;
        removeProposals += o.removeProposals;
        reAddProposals += o.reAddProposals;
        reads += o.reads;
        writesProposed += o.writesProposed;
        writesCommitted += o.writesCommitted;
        snapshotsInstalled += o.snapshotsInstalled;
        compactions += o.compactions;
        maxStepsToRecover = Math.max(maxStepsToRecover, o.maxStepsToRecover);
    }

    /** The one summary line the run prints (its format is relied on). */
    String summaryLine() {
        return "simulation: seeds=" + seeds + " steps=" + steps + " elections=" + elections
                + " partitions=" + partitions + " crashes=" + crashes + " confchanges=" + confChanges
                + " transfers=" + transfers + " reads=" + reads;
    }

    String detailLine() {
        return "simulation detail: writes proposed=" + writesProposed + " committed=" + writesCommitted
                + " conf proposals: learner=" + addLearnerProposals + " voter=" + addVoterProposals
                + " remove=" + removeProposals + " re-add=" + reAddProposals
                + " snapshots installed=" + snapshotsInstalled + " compactions=" + compactions
                + " crashes before persist=" + crashesBeforePersist
                + " worst steps to recover=" + maxStepsToRecover;
    }
}
