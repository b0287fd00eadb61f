package io.kvorum.client;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * An {@link EndpointPolicy}: chooses one endpoint among those routing may use. Picks allocate
 * nothing and take no lock (but {@link Weighted}'s): they run once per call.
 */
interface EndpointSelector {
    /** One of {@code all} that {@code usable} accepts, or null when it accepts none. */
    EndpointState pick(List<EndpointState> all, Predicate<EndpointState> usable);

    static EndpointSelector of(EndpointPolicy policy, List<EndpointState> all, String localDatacenter) {
        return switch (policy) {
            case ROUND_ROBIN -> new RoundRobin();
            case WEIGHTED -> new Weighted(all);
            case PREFER_LOCAL -> new PreferLocal(localDatacenter);
        };
    }

    /** Each pick takes the next usable endpoint in turn. */
    final class RoundRobin implements EndpointSelector {
        private final AtomicInteger next = new AtomicInteger();

        @Override
        public EndpointState pick(List<EndpointState> all, Predicate<EndpointState> usable) {
            return pick(all, usable, null);
        }

        /**
         * The next in turn among the usable endpoints in {@code datacenter} (any when null), or
         * null when there is none. Counts them first, so turns are even among those that qualify.
         */
        EndpointState pick(List<EndpointState> all, Predicate<EndpointState> usable, String datacenter) {
            int qualifying = 0;
            for (EndpointState e : all) {
                if (qualifies(e, usable, datacenter)) {
                    qualifying++;
                }
            }
            if (qualifying == 0) {
                return null;
            }
            int k = Math.floorMod(next.getAndIncrement(), qualifying);
            for (EndpointState e : all) {
                if (qualifies(e, usable, datacenter) && k-- == 0) {
                    return e;
                }
            }
            return null; // health changed between the passes: the caller falls back
        }

        private static boolean qualifies(EndpointState e, Predicate<EndpointState> usable, String datacenter) {
            return (datacenter == null || datacenter.equals(e.datacenter())) && usable.test(e);
        }
    }

    /** Picks in proportion to the endpoints' weights; unusable ones sit their rounds out. */
    final class Weighted implements EndpointSelector {
        private final SmoothWeightedRoundRobin<EndpointState> wrr =
                new SmoothWeightedRoundRobin<>(e -> e.endpoint.weight());

        Weighted(List<EndpointState> all) {
            wrr.update(all);
        }

        @Override
        public EndpointState pick(List<EndpointState> all, Predicate<EndpointState> usable) {
            return wrr.next(usable);
        }
    }

    /** Round robin over the usable endpoints in the local datacenter; over all of them when none is local. */
    final class PreferLocal implements EndpointSelector {
        private final String local;
        private final RoundRobin rr = new RoundRobin();

        PreferLocal(String local) {
            this.local = Objects.requireNonNull(local, "local datacenter");
        }

        @Override
        public EndpointState pick(List<EndpointState> all, Predicate<EndpointState> usable) {
            EndpointState mine = rr.pick(all, usable, local);
            return mine != null ? mine : rr.pick(all, usable, null);
        }
    }
}
