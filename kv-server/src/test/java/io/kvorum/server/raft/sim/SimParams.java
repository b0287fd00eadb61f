package io.kvorum.server.raft.sim;

import java.util.Random;

/**
 * The knobs of one seed, drawn from the seed so that runs differ in cluster size, fault mix
 * and core limits: some seeds are calm, some are storms, some squeeze the byte limits so that
 * back-pressure and split appends happen. Rates are per simulation step.
 */
final class SimParams {
    /** Initial voters are 1..voters; ids up to maxId join later through membership changes. */
    final int voters;
    final int maxId;

    final int electionTicks;
    final int heartbeatTicks;
    final long maxMsgBytes;
    final int maxInflightMsgs;
    final long maxInflightBytes;
    final long maxUncommittedBytes;

    // network
    final double lossRate;
    final double duplicateRate;
    final double slowRate;
    final int maxDelay;

    // faults
    final double partitionRate;
    final double healRate;
    final double crashRate;
    final double restartRate;
    /** Chance that a node that just granted a vote crashes right then. */
    final double crashAfterVoteRate;
    final double confChangeRate;
    final double transferRate;
    final double campaignRate;
    final double compactRate;

    // clients
    final double writeRate;
    final double readRate;

    SimParams(Random rng) {
        voters = rng.nextBoolean() ? 3 : 5;
        maxId = voters + 2 + rng.nextInt(2);

        electionTicks = 10;
        heartbeatTicks = rng.nextInt(3) == 0 ? 1 : 2;
        boolean tight = rng.nextInt(4) == 0;
        maxMsgBytes = tight ? 64 + rng.nextInt(200) : 1 << 20;
        maxInflightMsgs = tight ? 1 + rng.nextInt(4) : 256;
        // Derived, not drawn, so every seed keeps the schedule it had before this bound existed
        // (the regression seeds replay as they failed). Tight: one and a half full appends,
        // so a window of 3 or 4 appends is full by bytes first.
        maxInflightBytes = tight ? maxMsgBytes + maxMsgBytes / 2 : 8L << 20;
        maxUncommittedBytes = rng.nextInt(4) == 0 ? 500 + rng.nextInt(2000) : 64L << 20;

        double storm = rng.nextDouble(); // 0 = calm seed, 1 = stormy seed
        lossRate = storm * 0.08;
        duplicateRate = rng.nextDouble() * 0.05;
        slowRate = rng.nextDouble() * 0.3;
        maxDelay = 2 + rng.nextInt(8);

        partitionRate = 0.004 + storm * 0.012;
        healRate = 0.02 + rng.nextDouble() * 0.04;
        crashRate = 0.002 + storm * 0.006;
        restartRate = 0.03 + rng.nextDouble() * 0.07;
        crashAfterVoteRate = storm * 0.1;
        confChangeRate = 0.005 + rng.nextDouble() * 0.015;
        transferRate = 0.002 + rng.nextDouble() * 0.008;
        campaignRate = rng.nextDouble() * 0.02;
        compactRate = 0.005 + rng.nextDouble() * 0.04;

        writeRate = 0.15 + rng.nextDouble() * 0.45;
        readRate = 0.05 + rng.nextDouble() * 0.25;
    }

    @Override
    public String toString() {
        return String.format("voters=%d maxId=%d hb=%d msgBytes=%d inflight=%d/%dB uncommitted=%d loss=%.3f dup=%.3f"
                        + " slow=%.2f/%d partition=%.4f crash=%.4f conf=%.4f",
                voters, maxId, heartbeatTicks, maxMsgBytes, maxInflightMsgs, maxInflightBytes, maxUncommittedBytes, lossRate,
                duplicateRate, slowRate, maxDelay, partitionRate, crashRate, confChangeRate);
    }
}
