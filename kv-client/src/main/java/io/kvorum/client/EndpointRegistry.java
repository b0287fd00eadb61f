package io.kvorum.client;

import io.kvorum.proto.v1.Member;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * The endpoints the client knows and where calls go.
 *
 * <p>Routing rotates over the configured endpoints plus the members the cluster reports
 * ({@link MemberDiscovery}): a member added later is used once the client learns of it, one
 * removed drops out (configured endpoints always stay: they are how the client finds the
 * cluster). Reads are spread over them by the policy; writes go to the leader when it is known
 * and healthy, since a follower would only forward them. The routing table and the leader are
 * immutable snapshots behind volatile fields: a pick reads them without locking.
 */
final class EndpointRegistry {
    /** Routing's view: the endpoints in rotation and the policy's selector over them. */
    private record Routing(List<EndpointState> all, EndpointSelector selector) {
    }

    private static final Predicate<EndpointState> AVAILABLE = EndpointState::available;

    private final List<EndpointState> configured;
    private final Map<String, EndpointState> byAddress = new LinkedHashMap<>();
    private final EndpointPolicy policy;
    private final String localDatacenter;
    private final ChannelFactory channels;
    private final Backoff healthBackoff;
    private final ScheduledExecutorService scheduler;
    private final EndpointState.HealthProbe probe;
    private volatile Routing routing;
    private volatile EndpointState leader;
    /** Told (old leader or null, new leader) when the member list names a new leader. */
    private volatile BiConsumer<EndpointState, EndpointState> leaderMoved = (from, to) -> { };

    EndpointRegistry(List<Endpoint> endpoints, EndpointPolicy policy, String localDatacenter, ChannelFactory channels,
                     Backoff healthBackoff, ScheduledExecutorService scheduler, EndpointState.HealthProbe probe) {
        this.policy = policy;
        this.localDatacenter = localDatacenter;
        this.channels = channels;
        this.healthBackoff = healthBackoff;
        this.scheduler = scheduler;
        this.probe = probe;
        List<EndpointState> list = new ArrayList<>();
        for (Endpoint e : endpoints) {
            EndpointState s = new EndpointState(e, true, channels, healthBackoff, scheduler, probe);
            list.add(s);
            byAddress.put(e.address(), s);
        }
        this.configured = List.copyOf(list);
        this.routing = new Routing(configured, EndpointSelector.of(policy, configured, localDatacenter));
    }

    List<EndpointState> configured() {
        return configured;
    }

    /** The endpoints in rotation now: configured ones first, then members learned from the cluster. */
    List<EndpointState> routable() {
        return routing.all();
    }

    List<String> addresses() {
        List<String> out = new ArrayList<>();
        for (EndpointState e : configured) {
            out.add(e.address());
        }
        return out;
    }

    /** The leader's endpoint when known, else null. */
    EndpointState leader() {
        return leader;
    }

    /**
     * The endpoint for the next read (or any call not bound to the leader): by the policy among
     * the available endpoints, other than {@code avoid} (the one that just failed) when there is
     * another. When every endpoint is ejected, the one whose next probe is due first: someone
     * has to be tried, and the caller's own backoff paces how often.
     */
    EndpointState pick(EndpointState avoid) {
        Routing r = routing;
        EndpointState e = r.selector().pick(r.all(), avoid == null ? AVAILABLE : x -> x != avoid && x.available());
        if (e != null) {
            return e;
        }
        if (avoid != null && avoid.available()) {
            return avoid;
        }
        return soonestProbed(r.all(), avoid);
    }

    /** Among ejected endpoints, the one whose next probe is due first (other than {@code avoid} if possible). */
    private static EndpointState soonestProbed(List<EndpointState> all, EndpointState avoid) {
        EndpointState soonest = null;
        for (EndpointState x : all) {
            if (x == avoid && all.size() > 1) {
                continue;
            }
            if (soonest == null || x.nextProbeNanos() - soonest.nextProbeNanos() < 0) {
                soonest = x;
            }
        }
        return soonest;
    }

    /**
     * The endpoint for the next write or linearizable read: the leader when known and available,
     * else as {@link #pick}.
     */
    EndpointState pickLeaderFirst(EndpointState avoid) {
        EndpointState l = leader;
        if (l != null && l != avoid && l.available()) {
            return l;
        }
        return pick(avoid);
    }

    /**
     * An endpoint for background requests (the member list): the leader when known and
     * available, else the first available in routing order, else the one probed soonest. Leaves
     * the policy's rotation alone, so background work does not shift where calls go.
     */
    EndpointState forBackground() {
        return forBackground(false);
    }

    /**
     * As {@link #forBackground()}, but when {@code avoidLeader} another node than the leader we
     * know, if one is available: a higher term was seen, so that leader may be deposed or hung
     * (paused), and a request to it could wait out its whole timeout.
     */
    EndpointState forBackground(boolean avoidLeader) {
        EndpointState l = leader;
        if (!avoidLeader && l != null && l.available()) {
            return l;
        }
        List<EndpointState> all = routing.all();
        for (EndpointState e : all) {
            if (e.available() && e != l) {
                return e;
            }
        }
        if (l != null && l.available()) {
            return l;
        }
        return soonestProbed(all, avoidLeader ? l : null);
    }

    /** Sets who hears of a new leader named by the member list (one listener: the retrier). */
    void onLeaderMoved(BiConsumer<EndpointState, EndpointState> listener) {
        leaderMoved = listener;
    }

    /** The endpoint at {@code address}: a configured one, or one learned from the cluster or a leader hint. */
    synchronized EndpointState forAddress(String address) {
        return byAddress.computeIfAbsent(address,
                a -> new EndpointState(Endpoint.of(a), false, channels, healthBackoff, scheduler, probe));
    }

    /** A node named {@code address} as the leader (a NO_LEADER hint): writes go there from now on. */
    void leaderHint(String address) {
        try {
            leader = forAddress(address);
        } catch (IllegalArgumentException badAddress) {
            // an address we cannot use: keep routing as before
        }
    }

    /** {@code failed} could not serve: if it was the leader we knew, we no longer know one. */
    void notLeader(EndpointState failed) {
        if (leader == failed) {
            leader = null;
        }
    }

    /**
     * The cluster's member list and leader ({@code leaderId} 0: none known) as a node reported
     * them: members with a client address join routing (voters, learners and observers alike:
     * any member serves reads), members gone leave it, and each endpoint takes the datacenter
     * its member announced, which {@link EndpointPolicy#PREFER_LOCAL} routes by.
     */
    void members(List<Member> members, long leaderId) {
        EndpointState newLeader = null;
        List<EndpointState> all = new ArrayList<>(configured);
        Set<EndpointState> seen = new HashSet<>(configured);
        for (Member m : members) {
            String address = m.getClientAddress();
            if (address.isBlank()) {
                continue;
            }
            EndpointState e;
            try {
                e = forAddress(address);
            } catch (IllegalArgumentException badAddress) {
                continue;
            }
            e.announcedDatacenter(m.getDatacenter());
            if (seen.add(e)) {
                all.add(e);
            }
            if (m.getId() == leaderId) {
                newLeader = e;
            }
        }
        synchronized (this) {
            if (!all.equals(routing.all())) {
                routing = new Routing(List.copyOf(all), EndpointSelector.of(policy, all, localDatacenter));
            }
        }
        EndpointState previous = leader;
        leader = newLeader;
        if (newLeader != null && newLeader != previous) {
            // An election just ended: nodes left out for having no leader can serve again.
            for (EndpointState e : all) {
                e.probeSoon();
            }
            leaderMoved.accept(previous, newLeader);
        }
    }

    void close() {
        List<EndpointState> all;
        synchronized (this) {
            all = new ArrayList<>(byAddress.values());
        }
        for (EndpointState e : all) {
            e.close();
        }
    }
}
