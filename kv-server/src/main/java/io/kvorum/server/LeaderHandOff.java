package io.kvorum.server;

import io.kvorum.server.node.NodeStatus;
import io.kvorum.server.node.RaftNode;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a stopping node does before it closes: a leader hands leadership to the most
 * up-to-date other voter and waits, at most {@code bound}, until that voter leads, so a planned
 * restart costs the cluster one round trip of leaderlessness rather than an election timeout.
 * A follower, or a leader without another live voter, does nothing.
 */
final class LeaderHandOff {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderHandOff.class);

    private LeaderHandOff() {
    }

    /** Returns the new leader's id, or 0 when there was nothing to hand off or it did not finish in time. */
    static long run(RaftNode node, Duration bound) {
        NodeStatus s = node.status();
        if (!"leader".equals(s.role())) {
            return 0;
        }
        long to = s.mostUpToDateOtherVoter();
        if (to == 0 || !s.active().getOrDefault(to, false)) {
            // Nobody live to take over (the others are down too): waiting would only delay the stop.
            return 0;
        }
        long started = System.nanoTime();
        try {
            node.transferLeadership(to).get(bound.toMillis(), TimeUnit.MILLISECONDS);
            LOG.info("node {}: handed leadership to node {} in {} ms before stopping", s.id(), to,
                    (System.nanoTime() - started) / 1_000_000);
            return to;
        } catch (TimeoutException e) {
            LOG.warn("node {}: node {} did not take over leadership within {} ms; stopping anyway", s.id(), to,
                    bound.toMillis());
        } catch (ExecutionException e) {
            LOG.warn("node {}: could not hand leadership to node {} ({}); stopping anyway", s.id(), to,
                    e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
