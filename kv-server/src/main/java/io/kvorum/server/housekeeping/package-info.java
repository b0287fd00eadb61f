/**
 * The cluster's housekeeping: timer-driven jobs that each node runs beside the client API and
 * that act only by proposing commands through raft, so every replica applies the same outcome.
 * <ul>
 *   <li>{@link io.kvorum.server.housekeeping.SessionKeeper} batches session keep-alives into
 *   TouchSessions commands and, on the leader, expires the sessions that went quiet (bounded
 *   across leader changes: see its Javadoc);</li>
 *   <li>{@link io.kvorum.server.housekeeping.TtlNodeReaper}, on the leader, expires TTL nodes;</li>
 *   <li>{@link io.kvorum.server.housekeeping.AddressAnnouncer} publishes this member's client
 *   address in the replicated member table.</li>
 * </ul>
 * They run on the API's single timer thread. Layering: this package imports {@code node} and
 * {@code state}; the {@code api} package wires them up and hands them its proposer as a
 * {@link io.kvorum.server.housekeeping.CommandProposer}.
 */
package io.kvorum.server.housekeeping;
