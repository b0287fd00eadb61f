package io.kvorum.client;

import io.kvorum.proto.v1.RequestHeader;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Numbers this client's writes for exactly-once application (Raft thesis §6.3): each write
 * takes the next sequence and keeps it across all its retries, so the state machine, which
 * remembers answers by (client id, sequence), applies a retried write once and answers the
 * retry with the first answer.
 *
 * <p>{@code lowest_unanswered_sequence} is the smallest sequence still in flight: the server
 * may forget every answer below it. A write stays in flight until its call ends (answered,
 * failed, or given up), so no retry can ever carry a sequence the server was told to forget.
 *
 * <p>The window: a sequence is handed out only while it is below the lowest one in flight plus
 * {@code window}; later writes wait for a slot. Every header then carries
 * {@code sequence - lowest < window}, so the answers the server keeps for this client at or
 * above the newest lowest it was told number fewer than {@code window}. With the window no
 * larger than the server's answers kept per client, the server never forgets the answer of a
 * write still in flight, and never refuses as "answered before" a write it never applied.
 *
 * <p>The writes in flight are a ring of states indexed by sequence, not a sorted set: every
 * sequence in flight lies in {@code [lowest, next)}, fewer than {@code window} apart, so none
 * share a slot. Taking and ending one then costs the same with one write in flight as with
 * hundreds: no boxing, no tree rebalancing, and no branch whose direction depends on the load
 * (code the JIT compiled under one load is not thrown away when the load changes).
 */
final class WriteSequencer {
    private static final int INITIAL_RING = 64;
    private static final byte ENDED = 0;
    private static final byte IN_FLIGHT = 1;
    private static final byte NEXT = 2;
    /** Makes the client id, on the first write or {@link #clientId()} call. */
    private final Supplier<String> newClientId;
    /**
     * Made on first use: a client that only reads never needs one, and a random UUID costs a
     * short-lived process (the CLI) the SecureRandom set-up, some 90 classes.
     */
    private String clientId;
    private final int window;
    /**
     * The state of each sequence in {@code [lowest, next]} at {@code seq & (ring.length - 1)}:
     * {@link #IN_FLIGHT}, {@link #ENDED}, or {@link #NEXT} at {@code next}, which stops the scan
     * for a new lowest without a bound check. Every other slot is ENDED. Its length is a power of
     * two, doubled when that range would not fit: at most twice the window.
     */
    private byte[] ring = new byte[INITIAL_RING];
    /** The lowest sequence in flight, or {@link #next} when none is. */
    private long lowest = 1;
    /** Writes waiting for a slot, oldest first; a cancelled one is skipped. */
    private final ArrayDeque<CompletableFuture<Long>> waiting = new ArrayDeque<>();
    private long next = 1;

    WriteSequencer(Supplier<String> newClientId, int window) {
        if (window < 1) {
            throw new IllegalArgumentException("the write window must be at least 1, not " + window);
        }
        this.newClientId = newClientId;
        this.window = window;
        ring[slot(next)] = NEXT;
    }

    synchronized String clientId() {
        if (clientId == null) {
            clientId = newClientId.get();
        }
        return clientId;
    }

    /**
     * Takes the next sequence: completed at once when the window has room, else when an earlier
     * write ends. The write is in flight until {@link #end}. Cancelling the future gives up the
     * wait (a sequence handed to a cancelled future is ended at once).
     */
    CompletableFuture<Long> begin() {
        synchronized (this) {
            if (waiting.isEmpty() && fits()) {
                return CompletableFuture.completedFuture(take());
            }
            CompletableFuture<Long> slot = new CompletableFuture<>();
            waiting.add(slot);
            return slot;
        }
    }

    /** The write's call ended: its answer is no longer needed, and its slot goes to a waiting write. */
    void end(long seq) {
        List<CompletableFuture<Long>> granted = null;
        List<Long> seqs = null;
        synchronized (this) {
            remove(seq);
            while (!waiting.isEmpty() && fits()) {
                CompletableFuture<Long> w = waiting.poll();
                if (!w.isDone()) {
                    if (granted == null) {
                        granted = new ArrayList<>();
                        seqs = new ArrayList<>();
                    }
                    granted.add(w);
                    seqs.add(take());
                }
            }
        }
        if (granted == null) {
            return;
        }
        // Completed outside the lock: a waiting write starts its call on this thread.
        for (int i = 0; i < granted.size(); i++) {
            if (!granted.get(i).complete(seqs.get(i))) {
                end(seqs.get(i)); // cancelled meanwhile
            }
        }
    }

    private boolean fits() {
        return next - lowest < window;
    }

    private long take() {
        if (next - lowest + 2 > ring.length) {
            grow();
        }
        long seq = next++;
        ring[slot(seq)] = IN_FLIGHT;
        ring[slot(next)] = NEXT;
        return seq;
    }

    /** Ends {@code seq} if it is in flight (ending it twice changes nothing), and moves {@link #lowest} past ended ones. */
    private void remove(long seq) {
        if (seq < lowest || seq >= next || ring[slot(seq)] != IN_FLIGHT) {
            return;
        }
        ring[slot(seq)] = ENDED;
        while (ring[slot(lowest)] == ENDED) {
            lowest++;
        }
    }

    private int slot(long seq) {
        return (int) seq & (ring.length - 1);
    }

    /** Doubles the ring, each sequence in {@code [lowest, next]} keeping its state. */
    private void grow() {
        byte[] bigger = new byte[ring.length * 2];
        for (long seq = lowest; seq <= next; seq++) {
            bigger[(int) seq & (bigger.length - 1)] = ring[slot(seq)];
        }
        ring = bigger;
    }

    /** The header for an attempt of write {@code seq}. */
    synchronized RequestHeader header(long seq) {
        return RequestHeader.newBuilder().setClientId(clientId()).setSequence(seq)
                .setLowestUnansweredSequence(Math.min(lowest, seq)).build();
    }

    /** Counted rather than kept up on every write: only tests ask. */
    synchronized int inFlightCount() {
        int n = 0;
        for (long seq = lowest; seq < next; seq++) {
            n += ring[slot(seq)] == IN_FLIGHT ? 1 : 0;
        }
        return n;
    }

    synchronized int waitingCount() {
        return waiting.size();
    }
}
