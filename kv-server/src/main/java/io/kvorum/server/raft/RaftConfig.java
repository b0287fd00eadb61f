package io.kvorum.server.raft;

/**
 * Settings of one core. Times are in ticks: the node layer decides how long a tick is.
 *
 * @param id                   this node's id, positive
 * @param electionTicks        base election timeout; the real one is random in [base, 2*base)
 * @param heartbeatTicks       interval between leader heartbeats, smaller than electionTicks
 * @param maxMsgBytes          cap on entry bytes in one APPEND (at least one entry is sent)
 * @param maxMsgEntries        cap on entries in one APPEND
 * @param maxInflightMsgs      pipelining window: APPENDs in flight per follower
 * @param maxInflightBytes     pipelining window in entry bytes per follower: no new APPEND
 *                             while this many are unacknowledged, so a leader catching up a
 *                             follower far behind holds at most this plus one message of its
 *                             log in memory for it (etcd's MaxInflightBytes)
 * @param maxUncommittedBytes  back-pressure: the leader refuses proposals beyond this many
 *                             uncommitted bytes (always accepting one when none are pending)
 * @param maxApplyBytes        cap on committed entry bytes handed out in one Ready
 * @param preVote              run a pre-vote before raising the term (thesis §9.6)
 * @param checkQuorum          a leader that did not hear from a quorum for an election timeout
 *                             steps down, and voters ignore elections while a leader is fresh
 * @param applied              the index the state machine has applied (on restart)
 * @param seed                 seed of the randomness for election timeouts
 */
public record RaftConfig(long id, int electionTicks, int heartbeatTicks, long maxMsgBytes,
                         int maxMsgEntries, int maxInflightMsgs, long maxInflightBytes, long maxUncommittedBytes, long maxApplyBytes,
                         boolean preVote, boolean checkQuorum, long applied, long seed) {

    public RaftConfig {
        if (id <= 0) {
            throw new IllegalArgumentException("node id must be positive: " + id);
        }
        if (heartbeatTicks <= 0 || electionTicks <= heartbeatTicks) {
            throw new IllegalArgumentException("need 0 < heartbeatTicks < electionTicks, got "
                    + heartbeatTicks + " and " + electionTicks);
        }
        if (maxInflightMsgs <= 0 || maxInflightBytes <= 0 || maxMsgEntries <= 0 || maxMsgBytes <= 0 || maxUncommittedBytes <= 0 || maxApplyBytes <= 0) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }

    /** Sensible defaults: 10-tick elections, 1-tick heartbeats, pre-vote and check-quorum on. */
    public static RaftConfig defaults(long id) {
        return new RaftConfig(id, 10, 1, 1 << 20, 4096, 256, 8L << 20, 64L << 20, 64L << 20, true, true, 0, id);
    }

    public RaftConfig withApplied(long newApplied) {
        return new RaftConfig(id, electionTicks, heartbeatTicks, maxMsgBytes, maxMsgEntries, maxInflightMsgs, maxInflightBytes,
                maxUncommittedBytes, maxApplyBytes, preVote, checkQuorum, newApplied, seed);
    }

    public RaftConfig withSeed(long newSeed) {
        return new RaftConfig(id, electionTicks, heartbeatTicks, maxMsgBytes, maxMsgEntries, maxInflightMsgs, maxInflightBytes,
                maxUncommittedBytes, maxApplyBytes, preVote, checkQuorum, applied, newSeed);
    }

    public RaftConfig withTicks(int election, int heartbeat) {
        return new RaftConfig(id, election, heartbeat, maxMsgBytes, maxMsgEntries, maxInflightMsgs, maxInflightBytes,
                maxUncommittedBytes, maxApplyBytes, preVote, checkQuorum, applied, seed);
    }

    public RaftConfig withElectionSafeguards(boolean newPreVote, boolean newCheckQuorum) {
        return new RaftConfig(id, electionTicks, heartbeatTicks, maxMsgBytes, maxMsgEntries, maxInflightMsgs, maxInflightBytes,
                maxUncommittedBytes, maxApplyBytes, newPreVote, newCheckQuorum, applied, seed);
    }

    public RaftConfig withLimits(long msgBytes, int inflight, long inflightBytes, long uncommittedBytes) {
        return new RaftConfig(id, electionTicks, heartbeatTicks, msgBytes, maxMsgEntries, inflight, inflightBytes,
                uncommittedBytes, maxApplyBytes, preVote, checkQuorum, applied, seed);
    }
}
