package io.kvorum.server.housekeeping;

import io.kvorum.proto.internal.v1.Command;
import io.kvorum.proto.internal.v1.ExpireTtlNodes;
import io.kvorum.proto.internal.v1.TtlExpiry;
import io.kvorum.server.node.RaftNode;
import io.kvorum.server.state.CoordinationState;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * On the leader, deletes TTL nodes that went unmodified and childless for their TTL: it asks
 * the state which ones are due by the leader's wall clock and proposes ExpireTtlNodes. Each
 * expiry names the mod_revision it saw, so a node changed meanwhile is kept.
 */
public final class TtlNodeReaper implements AutoCloseable {
    private static final int BATCH = 1000;
    private static final long PROPOSE_TIMEOUT_MILLIS = 5_000;

    private final RaftNode node;
    private final CoordinationState state;
    private final CommandProposer proposer;
    private final Duration interval;
    private CompletableFuture<?> inFlight = CompletableFuture.completedFuture(null);
    private ScheduledFuture<?> task;

    public TtlNodeReaper(RaftNode node, CoordinationState state, CommandProposer proposer, Duration interval) {
        this.node = node;
        this.state = state;
        this.proposer = proposer;
        this.interval = interval;
    }

    public void start(ScheduledExecutorService timer) {
        task = timer.scheduleWithFixedDelay(PeriodicTask.guard(this::reap), interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    void reap() {
        if (!"leader".equals(node.status().role()) || !inFlight.isDone()) {
            return;
        }
        List<TtlExpiry> due = state.expiredTtlNodes(System.currentTimeMillis(), BATCH);
        if (!due.isEmpty()) {
            inFlight = proposer.propose(Command.newBuilder().setExpireTtlNodes(ExpireTtlNodes.newBuilder()
                    .addAllNodes(due)), PROPOSE_TIMEOUT_MILLIS);
        }
    }

    @Override
    public void close() {
        if (task != null) {
            task.cancel(false);
        }
    }
}
