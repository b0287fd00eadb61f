package io.kvorum.client;

/**
 * How the client spreads reads over its endpoints (the configured ones and the members it
 * learned from the cluster); writes go to the leader when it is known, and so do linearizable
 * reads except under {@link #PREFER_LOCAL}: a leader answers them with one leadership check
 * shared by all waiting reads, a follower must ask the leader first. Under every policy an
 * endpoint that just failed is left out until a background probe finds it serving again, and
 * a call that fails on one endpoint is retried on another.
 */
public enum EndpointPolicy {
    /** Each call goes to the next healthy endpoint in turn. */
    ROUND_ROBIN,
    /** Calls are spread in proportion to {@link Endpoint#weight()} (smooth weighted round robin). */
    WEIGHTED,
    /**
     * Calls go to healthy endpoints in the client's own datacenter
     * ({@link KvorumClientBuilder#localDatacenter(String)}), round robin; only when none of them
     * is healthy do they fail over to the other datacenters. An endpoint's datacenter is the one
     * its node announced ({@code kvorum-server --datacenter}), learned with the member list, or
     * else the one {@link Endpoint#inDatacenter(String)} gave it. Until the member list first
     * arrives (right after the first call), endpoints without a configured datacenter count as
     * remote.
     */
    PREFER_LOCAL
}
