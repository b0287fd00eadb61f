package io.kvorum.server.node;

import java.util.Map;

/**
 * A consistent picture of the node, published by its loop after every Ready.
 *
 * @param role       leader, follower, candidate (pre-candidates report as candidate) or learner
 * @param members    every member's id and peer address
 * @param voters     the voting members' ids
 * @param matchIndex on the leader, each member's replicated log index; empty elsewhere
 * @param learners   the non-voting members' ids
 * @param active     on the leader, whether it heard from each member within the last election
 *                   timeout; empty elsewhere
 */
public record NodeStatus(long id, String role, long leaderId, long term, long commitIndex, long appliedIndex,
                         long lastIndex, long snapshotIndex, Map<Long, String> members,
                         java.util.Set<Long> voters, Map<Long, Long> matchIndex, java.util.Set<Long> learners,
                         Map<Long, Boolean> active) {

    /**
     * On the leader, the other voter with the longest replicated log, preferring one heard from
     * lately (the one a leadership transfer completes soonest with); 0 when there is none.
     */
    public long mostUpToDateOtherVoter() {
        long best = 0;
        long bestMatch = -1;
        boolean bestActive = false;
        for (long v : voters) {
            if (v == id) {
                continue;
            }
            long m = matchIndex.getOrDefault(v, 0L);
            boolean live = active.getOrDefault(v, false);
            if ((live && !bestActive) || (live == bestActive && m > bestMatch)) {
                best = v;
                bestMatch = m;
                bestActive = live;
            }
        }
        return best;
    }
}
