package io.kvorum.server.raft;

import java.util.ArrayDeque;

/**
 * The leader's view of one follower's log (etcd-io/raft tracker.Progress).
 * Invariant: {@code match < next}.
 */
final class Progress {
    long match;
    long next;
    ProgressState state = ProgressState.PROBE;
    /** In PROBE: an append is outstanding; wait for its answer or the next heartbeat response. */
    boolean probeSent;
    /** In SNAPSHOT: the index of the snapshot being installed. */
    long pendingSnapshot;
    /** Heard from within the current check-quorum window. */
    boolean recentActive;
    /**
     * An append was acknowledged since the follower's last heartbeat answer. A full window
     * with no acknowledgement across a heartbeat round suggests its appends were lost.
     */
    boolean ackedSinceHeartbeat;
    /** Last index of each append in flight, oldest first (the pipelining window). */
    final ArrayDeque<Long> inflight = new ArrayDeque<>();
    /** Entry bytes of each append in {@link #inflight}, in the same order. */
    private final ArrayDeque<Long> inflightSizes = new ArrayDeque<>();
    /** Invariant: the sum of {@link #inflightSizes}. */
    long inflightBytes;
    final int maxInflight;
    final long maxInflightBytes;

    Progress(long next, int maxInflight, long maxInflightBytes) {
        this.next = next;
        this.maxInflight = maxInflight;
        this.maxInflightBytes = maxInflightBytes;
    }

    void becomeProbe() {
        if (state == ProgressState.SNAPSHOT) {
            long pending = pendingSnapshot;
            resetState(ProgressState.PROBE);
            next = Math.max(match + 1, pending + 1);
        } else {
            resetState(ProgressState.PROBE);
            next = match + 1;
        }
    }

    void becomeReplicate() {
        resetState(ProgressState.REPLICATE);
        next = match + 1;
    }

    void becomeSnapshot(long snapshotIndex) {
        resetState(ProgressState.SNAPSHOT);
        pendingSnapshot = snapshotIndex;
    }

    private void resetState(ProgressState s) {
        state = s;
        probeSent = false;
        pendingSnapshot = 0;
        inflight.clear();
        inflightSizes.clear();
        inflightBytes = 0;
    }

    /** The follower acknowledged n. Returns whether match moved. */
    boolean maybeUpdate(long n) {
        boolean updated = false;
        if (match < n) {
            match = n;
            updated = true;
            probeSent = false;
        }
        next = Math.max(next, n + 1);
        return updated;
    }

    /** An append ending at n, carrying {@code bytes} of entries, was sent optimistically. */
    void sentEntries(long lastIndex, long bytes) {
        if (state == ProgressState.REPLICATE) {
            next = lastIndex + 1;
            inflight.addLast(lastIndex);
            inflightSizes.addLast(bytes);
            inflightBytes += bytes;
        } else if (state == ProgressState.PROBE) {
            probeSent = true;
        }
    }

    void freeInflightUpTo(long index) {
        while (!inflight.isEmpty() && inflight.peekFirst() <= index) {
            inflight.pollFirst();
            inflightBytes -= inflightSizes.pollFirst();
        }
    }

    /**
     * The follower rejected an append at {@code rejected}, hinting it may match at
     * {@code matchHint}. Returns false if the rejection is stale (out of order).
     */
    boolean maybeDecrTo(long rejected, long matchHint) {
        if (state == ProgressState.REPLICATE) {
            if (rejected <= match) {
                return false;
            }
            next = match + 1;
            return true;
        }
        if (next - 1 != rejected) {
            return false;
        }
        next = Math.max(Math.min(rejected, matchHint + 1), match + 1);
        probeSent = false;
        return true;
    }

    boolean isPaused() {
        return switch (state) {
            case PROBE -> probeSent;
            // Full by count or by bytes: the last append may pass the byte bound by at most
            // one message (the window is checked before it is sent, as etcd does).
            case REPLICATE -> inflight.size() >= maxInflight || inflightBytes >= maxInflightBytes;
            case SNAPSHOT -> true;
        };
    }
}
