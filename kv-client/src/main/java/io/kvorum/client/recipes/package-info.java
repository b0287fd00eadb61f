/**
 * Coordination recipes on top of the client: {@link io.kvorum.client.recipes.DistributedLock}
 * (with fencing tokens), {@link io.kvorum.client.recipes.LeaderElection}, and
 * {@link io.kvorum.client.recipes.ServiceRegistry} with live
 * {@link io.kvorum.client.recipes.ServiceDiscovery} and weighted or least-outstanding picking.
 */
package io.kvorum.client.recipes;
