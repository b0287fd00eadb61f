package io.kvorum.server.housekeeping;

import io.kvorum.proto.internal.v1.Command;
import io.kvorum.proto.internal.v1.Locality;
import io.kvorum.proto.internal.v1.MemberClientAddress;
import io.kvorum.server.node.NodeStatus;
import io.kvorum.server.node.RaftNode;
import io.kvorum.server.state.CoordinationState;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Makes this member's client address and locality (datacenter, zone) known cluster-wide: once a
 * leader is known and the replicated table lacks them (or has old ones), it proposes
 * MemberClientAddress. UNAVAILABLE answers then name the leader's client address, ListMembers
 * shows all, and clients route reads by datacenter. A restart with other --datacenter or
 * --zone flags re-announces them.
 */
public final class AddressAnnouncer implements AutoCloseable {
    private static final long PROPOSE_TIMEOUT_MILLIS = 5_000;

    private final RaftNode node;
    private final CoordinationState state;
    private final CommandProposer proposer;
    private final String clientAddress;
    private final Locality locality;
    private final Duration interval;
    private CompletableFuture<?> inFlight = CompletableFuture.completedFuture(null);
    private ScheduledFuture<?> task;

    public AddressAnnouncer(RaftNode node, CoordinationState state, CommandProposer proposer, String clientAddress,
                            Locality locality, Duration interval) {
        this.node = node;
        this.state = state;
        this.proposer = proposer;
        this.clientAddress = clientAddress;
        this.locality = locality;
        this.interval = interval;
    }

    public void start(ScheduledExecutorService timer) {
        // First look soon after start: clients want the address as soon as there is a leader.
        task = timer.scheduleWithFixedDelay(PeriodicTask.guard(this::announce), Math.min(100, interval.toMillis()),
                interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    void announce() {
        NodeStatus s = node.status();
        if (s.leaderId() == 0 || !inFlight.isDone() || announced(s.id())) {
            return;
        }
        inFlight = proposer.propose(Command.newBuilder().setMemberClientAddress(MemberClientAddress.newBuilder()
                .setMemberId(s.id()).setClientAddress(clientAddress).setLocality(locality)), PROPOSE_TIMEOUT_MILLIS);
    }

    private boolean announced(long id) {
        return clientAddress.equals(state.memberClientAddresses().get(id))
                && locality.equals(state.memberLocalities().getOrDefault(id, Locality.getDefaultInstance()));
    }

    @Override
    public void close() {
        if (task != null) {
            task.cancel(false);
        }
    }
}
