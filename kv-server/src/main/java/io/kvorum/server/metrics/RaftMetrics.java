package io.kvorum.server.metrics;

import io.kvorum.server.node.NodeMetrics;
import io.kvorum.server.raft.Role;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;

/**
 * The events a {@link io.kvorum.server.node.RaftNode} and its store report: counters and
 * histograms updated in place (a few atomic adds each), read only when scraped.
 */
final class RaftMetrics implements NodeMetrics {
    private static final double NANOS = 1e9;

    private final Counter proposalsReceived;
    private final Counter proposalsFailed;
    private final Counter proposalsCommitted;
    private final Counter proposalsDropped;
    private final Counter leaderChanges;
    private final Counter electionsStarted;
    private final Histogram fsync;
    private final Histogram applyBatch;
    private final CounterDataPoint logEntriesFromMemory;
    private final CounterDataPoint logEntriesFromStore;
    private final Histogram snapshotSave;
    private final Histogram snapshotCheckpoint;
    private final Gauge snapshotSize;
    private final Histogram snapshotInstall;
    private final Counter snapshotInstalledBytes;
    /** Loop thread only: the last soft state seen, to count transitions. */
    private Role lastRole = Role.FOLLOWER;
    private long lastLeader;

    RaftMetrics(PrometheusRegistry registry) {
        proposalsReceived = Counter.builder().name("kvorum_raft_proposals_received_total")
                .help("Client proposals handed to this node.").register(registry);
        proposalsFailed = Counter.builder().name("kvorum_raft_proposals_failed_total")
                .help("Proposals the Raft core refused (not the leader, transfer in progress, too much in flight).")
                .register(registry);
        proposalsCommitted = Counter.builder().name("kvorum_raft_proposals_committed_total")
                .help("Proposals of this node committed, applied and answered.").register(registry);
        proposalsDropped = Counter.builder().name("kvorum_raft_proposals_dropped_total")
                .help("Proposals whose callers stopped waiting (deadline, shutdown) before they were applied.")
                .register(registry);
        leaderChanges = Counter.builder().name("kvorum_raft_leader_changes_total")
                .help("Times this node saw a new leader.").register(registry);
        electionsStarted = Counter.builder().name("kvorum_raft_elections_started_total")
                .help("Elections (pre-vote rounds included) this node started.").register(registry);
        fsync = Histogram.builder().name("kvorum_storage_fsync_duration_seconds")
                .help("Time of a synced raft log WriteBatch (one fsync per Ready, however many entries).")
                .unit(Unit.SECONDS).classicUpperBounds(Buckets.LATENCY).register(registry);
        applyBatch = Histogram.builder().name("kvorum_storage_apply_batch_duration_seconds")
                .help("Time of writing one batch of applied state changes and the applied index.")
                .unit(Unit.SECONDS).classicUpperBounds(Buckets.LATENCY).register(registry);
        Counter logEntriesRead = Counter.builder().name("kvorum_storage_log_entries_read_total")
                .help("Log entries read back to apply them or to send them to a follower, by source: "
                        + "memory (the tail of recently persisted entries) or store (RocksDB).")
                .labelNames("source").register(registry);
        logEntriesFromMemory = logEntriesRead.labelValues("memory");
        logEntriesFromStore = logEntriesRead.labelValues("store");
        snapshotSave = Histogram.builder().name("kvorum_raft_snapshot_save_duration_seconds")
                .help("Time of taking a local snapshot (recording the applied state as the snapshot the log is "
                        + "compacted to); the count is snapshots taken.")
                .unit(Unit.SECONDS).classicUpperBounds(Buckets.LATENCY).register(registry);
        snapshotCheckpoint = Histogram.builder().name("kvorum_raft_snapshot_checkpoint_duration_seconds")
                .help("Time of making a RocksDB checkpoint of the state to send a follower that fell behind the "
                        + "compacted log; the count is checkpoints made.")
                .unit(Unit.SECONDS).classicUpperBounds(Buckets.SNAPSHOT).register(registry);
        snapshotSize = Gauge.builder().name("kvorum_raft_snapshot_size_bytes")
                .help("Size of the last checkpoint this node made to send a follower.").unit(Unit.BYTES)
                .register(registry);
        snapshotInstall = Histogram.builder().name("kvorum_raft_snapshot_install_duration_seconds")
                .help("Time of installing a snapshot received from the leader; the count is snapshots installed.")
                .unit(Unit.SECONDS).classicUpperBounds(Buckets.SNAPSHOT).register(registry);
        snapshotInstalledBytes = Counter.builder().name("kvorum_raft_snapshot_installed_bytes_total")
                .help("Bytes of the snapshots installed from the leader.").unit(Unit.BYTES).register(registry);
    }

    @Override
    public void proposalReceived() {
        proposalsReceived.inc();
    }

    @Override
    public void proposalFailed() {
        proposalsFailed.inc();
    }

    @Override
    public void proposalsCommitted(int count) {
        if (count > 0) {
            proposalsCommitted.inc(count);
        }
    }

    @Override
    public void proposalsDropped(int count) {
        if (count > 0) {
            proposalsDropped.inc(count);
        }
    }

    /** Proposals received and not yet committed, refused or given up: in the pipeline right now. */
    long pendingProposals() {
        long pending = proposalsReceived.getLongValue() - proposalsCommitted.getLongValue()
                - proposalsFailed.getLongValue() - proposalsDropped.getLongValue();
        return Math.max(0, pending);
    }

    @Override
    public void softState(Role role, long leaderId) {
        if (campaigning(role) && !campaigning(lastRole)) {
            electionsStarted.inc();
        }
        if (leaderId != 0 && leaderId != lastLeader) {
            leaderChanges.inc();
        }
        lastRole = role;
        if (leaderId != 0) {
            lastLeader = leaderId;
        }
    }

    private static boolean campaigning(Role r) {
        return r == Role.PRE_CANDIDATE || r == Role.CANDIDATE;
    }

    @Override
    public void syncedWrite(long nanos) {
        fsync.observe(nanos / NANOS);
    }

    @Override
    public void applyBatch(long nanos) {
        applyBatch.observe(nanos / NANOS);
    }

    @Override
    public void logEntriesRead(int count, boolean fromMemory) {
        (fromMemory ? logEntriesFromMemory : logEntriesFromStore).inc(count);
    }

    @Override
    public void snapshotTaken(long nanos) {
        snapshotSave.observe(nanos / NANOS);
    }

    @Override
    public void checkpointMadeToSend(long nanos, long bytes) {
        snapshotCheckpoint.observe(nanos / NANOS);
        snapshotSize.set(bytes);
    }

    @Override
    public void snapshotInstalled(long nanos, long bytes) {
        snapshotInstall.observe(nanos / NANOS);
        snapshotInstalledBytes.inc(bytes);
    }
}
