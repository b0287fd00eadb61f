package io.kvorum.server.raft;

/**
 * A {@link RaftConfig} builder for tests: the defaults of {@link RaftConfig#defaults(long)}
 * (10-tick elections, 1-tick heartbeats, pre-vote and check-quorum on) with any field changed.
 */
final class TestConfig {
    private final long id;
    private int electionTicks = 10;
    private int heartbeatTicks = 1;
    private long maxMsgBytes = 1 << 20;
    private int maxMsgEntries = 4096;
    private int maxInflightMsgs = 256;
    private long maxInflightBytes = 8L << 20;
    private long maxUncommittedBytes = 64L << 20;
    private long maxApplyBytes = 64L << 20;
    private boolean preVote = true;
    private boolean checkQuorum = true;
    private long applied;
    private long seed;

    private TestConfig(long id) {
        this.id = id;
        this.seed = id;
    }

    static TestConfig of(long id) {
        return new TestConfig(id);
    }

    /** The paper's basic algorithm: no pre-vote, no check-quorum (no leases). */
    TestConfig plainRaft() {
        return preVote(false).checkQuorum(false);
    }

    TestConfig ticks(int election, int heartbeat) {
        electionTicks = election;
        heartbeatTicks = heartbeat;
        return this;
    }

    TestConfig maxMsgBytes(long v) {
        maxMsgBytes = v;
        return this;
    }

    TestConfig maxMsgEntries(int v) {
        maxMsgEntries = v;
        return this;
    }

    TestConfig maxInflightMsgs(int v) {
        maxInflightMsgs = v;
        return this;
    }

    TestConfig maxInflightBytes(long v) {
        maxInflightBytes = v;
        return this;
    }

    TestConfig maxUncommittedBytes(long v) {
        maxUncommittedBytes = v;
        return this;
    }

    TestConfig preVote(boolean v) {
        preVote = v;
        return this;
    }

    TestConfig checkQuorum(boolean v) {
        checkQuorum = v;
        return this;
    }

    TestConfig applied(long v) {
        applied = v;
        return this;
    }

    TestConfig seed(long v) {
        seed = v;
        return this;
    }

    RaftConfig build() {
        return new RaftConfig(id, electionTicks, heartbeatTicks, maxMsgBytes, maxMsgEntries, maxInflightMsgs, maxInflightBytes,
                maxUncommittedBytes, maxApplyBytes, preVote, checkQuorum, applied, seed);
    }
}
