package io.kvorum.client.recipes;

/** How {@link ServiceDiscovery} picks an instance. */
public enum LoadBalancing {
    /**
     * Smooth weighted round robin (as nginx): over any window of picks each instance is chosen
     * in proportion to its weight, and a heavy instance's turns are spread out, not bunched.
     */
    WEIGHTED_ROUND_ROBIN,
    /**
     * The instance with the fewest requests in flight from this client per unit of weight
     * (acquired with {@link ServiceDiscovery#acquire()} and not yet closed); ties go round robin.
     */
    LEAST_OUTSTANDING
}
