package io.kvorum.server.raft;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The leader's ReadIndex bookkeeping (Raft thesis §6.4). Reads waiting when a round starts
 * share its heartbeats; round ids increase, and a follower that answers round r confirms every
 * round up to r, since it accepted our term after all of them were sent. A round completes
 * when a quorum of voters confirmed it; rounds complete in order.
 *
 * <p>One round at a time ({@link #canStartRound()}): reads arriving while a round is out wait
 * for it to complete and then share the next, so under load a heartbeat round carries every
 * read that came during the one before instead of a few each.
 */
final class ReadIndexTracker {
    /** One read request: the caller's ids, and which node asked (the leader itself or a follower). */
    record Request(long origin, List<Long> contexts) {
    }

    /** A heartbeat round confirming leadership for the reads it carries, at commit {@code index}. */
    private record Round(long id, long index, List<Request> requests) {
    }

    private final List<Request> waiting = new ArrayList<>();
    private final ArrayDeque<Round> rounds = new ArrayDeque<>();
    private final Map<Long, Long> confirmedRound = new HashMap<>();
    private long lastRoundId;

    void add(Request r) {
        waiting.add(r);
    }

    boolean hasWaiting() {
        return !waiting.isEmpty();
    }

    /** Reads are waiting and no round is out: the next Ready starts one. */
    boolean canStartRound() {
        return !waiting.isEmpty() && rounds.isEmpty();
    }

    /** Reads are waiting for a round that is out to complete. */
    boolean waitingBehindRound() {
        return !waiting.isEmpty() && !rounds.isEmpty();
    }

    /** Starts a round for all waiting reads at commit index {@code index}; returns its id. */
    long startRound(long index) {
        Round r = new Round(++lastRoundId, index, new ArrayList<>(waiting));
        waiting.clear();
        rounds.addLast(r);
        return r.id;
    }

    /**
     * The newest round still waiting for a quorum, or 0. Periodic heartbeats carry it, so a
     * round whose own heartbeats were lost still completes: an answer to a later heartbeat
     * confirms every earlier round too.
     */
    long newestPendingRound() {
        return rounds.isEmpty() ? 0 : rounds.peekLast().id;
    }

    /** Records that {@code voter} confirmed rounds up to {@code roundId}. */
    void confirm(long voter, long roundId) {
        confirmedRound.merge(voter, roundId, Math::max);
    }

    /**
     * Pops the rounds a quorum of {@code voters} confirmed (the leader confirms its own rounds)
     * and hands each of their requests, with the round's index, to {@code release}.
     */
    void releaseConfirmed(long self, Set<Long> voters, int quorum, Release release) {
        while (!rounds.isEmpty()) {
            Round r = rounds.peekFirst();
            int acks = 0;
            for (long v : voters) {
                if (v == self || confirmedRound.getOrDefault(v, 0L) >= r.id) {
                    acks++;
                }
            }
            if (acks < quorum) {
                return;
            }
            rounds.pollFirst();
            for (Request q : r.requests) {
                release.release(q, r.index);
            }
        }
    }

    /** Leadership ended: every pending read is dropped (callers time out and retry). */
    void clear() {
        waiting.clear();
        rounds.clear();
        confirmedRound.clear();
    }

    /** Receives a confirmed read. */
    interface Release {
        void release(Request request, long index);
    }
}
