package io.kvorum.client;

import io.kvorum.proto.v1.RequestHeader;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
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
 */
final class WriteSequencer {
    /** Makes the client id, on the first write or {@link #clientId()} call. */
    private final Supplier<String> newClientId;
    /**
     * Made on first use: a client that only reads never needs one, and a random UUID costs a
     * short-lived process (the CLI) the SecureRandom set-up, some 90 classes.
     */
    private String clientId;
    private final int window;
    private final TreeSet<Long> inFlight = new TreeSet<>();
    /** Writes waiting for a slot, oldest first; a cancelled one is skipped. */
    private final ArrayDeque<CompletableFuture<Long>> waiting = new ArrayDeque<>();
    private long next = 1;

    WriteSequencer(Supplier<String> newClientId, int window) {
        if (window < 1) {
            throw new IllegalArgumentException("the write window must be at least 1, not " + window);
        }
        this.newClientId = newClientId;
        this.window = window;
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
        List<CompletableFuture<Long>> granted = new ArrayList<>();
        List<Long> seqs = new ArrayList<>();
        synchronized (this) {
            inFlight.remove(seq);
            while (!waiting.isEmpty() && fits()) {
                CompletableFuture<Long> w = waiting.poll();
                if (!w.isDone()) {
                    granted.add(w);
                    seqs.add(take());
                }
            }
        }
        // Completed outside the lock: a waiting write starts its call on this thread.
        for (int i = 0; i < granted.size(); i++) {
            if (!granted.get(i).complete(seqs.get(i))) {
                end(seqs.get(i)); // cancelled meanwhile
            }
        }
    }

    private boolean fits() {
        return inFlight.isEmpty() || next - inFlight.first() < window;
    }

    private long take() {
        long seq = next++;
        inFlight.add(seq);
        return seq;
    }

    /** The header for an attempt of write {@code seq}. */
    synchronized RequestHeader header(long seq) {
        long lowest = inFlight.isEmpty() ? seq : Math.min(inFlight.first(), seq);
        return RequestHeader.newBuilder().setClientId(clientId()).setSequence(seq)
                .setLowestUnansweredSequence(lowest).build();
    }

    synchronized int inFlightCount() {
        return inFlight.size();
    }

    synchronized int waitingCount() {
        return waiting.size();
    }
}
