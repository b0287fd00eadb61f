package io.kvorum.client;

import io.kvorum.proto.v1.RequestHeader;
import java.util.TreeSet;

/**
 * Numbers this client's writes for exactly-once application (Raft thesis §6.3): each write
 * takes the next sequence and keeps it across all its retries, so the state machine, which
 * remembers answers by (client id, sequence), applies a retried write once and answers the
 * retry with the first answer.
 *
 * <p>{@code lowest_unanswered_sequence} is the smallest sequence still in flight: the server
 * may forget every answer below it. A write stays in flight until its call ends (answered,
 * failed, or given up), so no retry can ever carry a sequence the server was told to forget.
 */
final class WriteSequencer {
    private final String clientId;
    private final TreeSet<Long> inFlight = new TreeSet<>();
    private long next = 1;

    WriteSequencer(String clientId) {
        this.clientId = clientId;
    }

    String clientId() {
        return clientId;
    }

    /** Takes the next sequence; the write is in flight until {@link #end}. */
    synchronized long begin() {
        long seq = next++;
        inFlight.add(seq);
        return seq;
    }

    /** The write's call ended: its answer is no longer needed. */
    synchronized void end(long seq) {
        inFlight.remove(seq);
    }

    /** The header for an attempt of write {@code seq}. */
    synchronized RequestHeader header(long seq) {
        long lowest = inFlight.isEmpty() ? seq : Math.min(inFlight.first(), seq);
        return RequestHeader.newBuilder().setClientId(clientId).setSequence(seq)
                .setLowestUnansweredSequence(lowest).build();
    }

    synchronized int inFlightCount() {
        return inFlight.size();
    }
}
