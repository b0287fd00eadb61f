package io.kvorum.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/** An {@link EndpointPolicy}: chooses one endpoint among the healthy candidates. */
interface EndpointSelector {
    /** One of {@code candidates} (never empty; in configuration order). */
    EndpointState pick(List<EndpointState> candidates);

    static EndpointSelector of(EndpointPolicy policy, List<EndpointState> all, String localDatacenter) {
        return switch (policy) {
            case ROUND_ROBIN -> new RoundRobin();
            case WEIGHTED -> new Weighted(all);
            case PREFER_LOCAL -> new PreferLocal(localDatacenter);
        };
    }

    /** Each pick takes the next candidate in turn. */
    final class RoundRobin implements EndpointSelector {
        private final AtomicInteger next = new AtomicInteger();

        @Override
        public EndpointState pick(List<EndpointState> candidates) {
            return candidates.get(Math.floorMod(next.getAndIncrement(), candidates.size()));
        }
    }

    /** Picks in proportion to the endpoints' weights; unhealthy ones sit their rounds out. */
    final class Weighted implements EndpointSelector {
        private final SmoothWeightedRoundRobin<EndpointState> wrr =
                new SmoothWeightedRoundRobin<>(e -> e.endpoint.weight());

        Weighted(List<EndpointState> all) {
            wrr.update(all);
        }

        @Override
        public EndpointState pick(List<EndpointState> candidates) {
            EndpointState e = wrr.next(candidates::contains);
            return e != null ? e : candidates.get(0);
        }
    }

    /** Round robin over the candidates in the local datacenter; over all of them when none is local. */
    final class PreferLocal implements EndpointSelector {
        private final String local;
        private final RoundRobin rr = new RoundRobin();

        PreferLocal(String local) {
            this.local = local;
        }

        @Override
        public EndpointState pick(List<EndpointState> candidates) {
            List<EndpointState> mine = new ArrayList<>();
            for (EndpointState e : candidates) {
                if (Objects.equals(e.endpoint.datacenter(), local)) {
                    mine.add(e);
                }
            }
            return rr.pick(mine.isEmpty() ? candidates : mine);
        }
    }
}
