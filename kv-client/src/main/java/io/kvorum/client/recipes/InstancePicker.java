package io.kvorum.client.recipes;

import io.kvorum.client.SmoothWeightedRoundRobin;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** Chooses one of a service's instances. */
interface InstancePicker {
    /** Told the current instances whenever they change. */
    void update(List<ServiceInstance> instances);

    /** One of the instances, or null when there is none. */
    ServiceInstance pick(List<ServiceInstance> instances, Map<String, AtomicInteger> outstanding);

    static InstancePicker of(LoadBalancing lb) {
        return switch (lb) {
            case WEIGHTED_ROUND_ROBIN -> new WeightedRoundRobin();
            case LEAST_OUTSTANDING -> new LeastOutstanding();
        };
    }

    final class WeightedRoundRobin implements InstancePicker {
        private final SmoothWeightedRoundRobin<ServiceInstance> wrr =
                new SmoothWeightedRoundRobin<>(ServiceInstance::weight);

        @Override
        public void update(List<ServiceInstance> instances) {
            wrr.update(instances);
        }

        @Override
        public ServiceInstance pick(List<ServiceInstance> instances, Map<String, AtomicInteger> outstanding) {
            return wrr.next();
        }
    }

    /** Fewest in flight per unit of weight (nginx least_conn); ties broken by a rotating start. */
    final class LeastOutstanding implements InstancePicker {
        private final AtomicInteger rotation = new AtomicInteger();

        @Override
        public void update(List<ServiceInstance> instances) {
        }

        @Override
        public ServiceInstance pick(List<ServiceInstance> instances, Map<String, AtomicInteger> outstanding) {
            int n = instances.size();
            if (n == 0) {
                return null;
            }
            int start = Math.floorMod(rotation.getAndIncrement(), n);
            ServiceInstance best = null;
            double bestLoad = Double.MAX_VALUE;
            for (int k = 0; k < n; k++) {
                ServiceInstance s = instances.get((start + k) % n);
                AtomicInteger o = outstanding.get(s.id());
                double load = (o == null ? 0 : o.get()) / (double) s.weight();
                if (load < bestLoad) {
                    best = s;
                    bestLoad = load;
                }
            }
            return best;
        }
    }
}
