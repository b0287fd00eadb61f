package io.kvorum.server.raft.sim;

import io.kvorum.server.raft.Message;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * The simulated network: every message is delivered at a future step chosen when it is sent.
 * Random delays reorder messages; a copy may be sent twice (duplication); a message may be
 * lost; and links can be cut in either direction (partitions). A lost or cut message is
 * discovered at its delivery step, which is when a real transport would notice and report it.
 */
final class SimNetwork {

    /**
     * One message on the wire. {@code snapshotData} is the sender's state at the snapshot index
     * of a SNAPSHOT message (the core's message carries only metadata).
     */
    record Envelope(Message msg, long deliverAt, long order, int senderIncarnation, KvState snapshotData,
                    boolean lost) {
    }

    private final Random rng;
    private final PriorityQueue<Envelope> inFlight = new PriorityQueue<>((a, b) -> a.deliverAt != b.deliverAt
            ? Long.compare(a.deliverAt, b.deliverAt) : Long.compare(a.order, b.order));
    /** blocked[from][to]: the directed link is cut. */
    private final boolean[][] blocked;
    private boolean partitioned;
    private long sequence;

    private double lossRate;
    private double duplicateRate;
    private double slowRate;
    private int maxDelay;

    SimNetwork(Random rng, SimParams p) {
        this.rng = rng;
        this.blocked = new boolean[p.maxId + 1][p.maxId + 1];
        this.lossRate = p.lossRate;
        this.duplicateRate = p.duplicateRate;
        this.slowRate = p.slowRate;
        this.maxDelay = p.maxDelay;
    }

    void send(Message m, long now, int senderIncarnation, KvState snapshotData) {
        enqueue(m, now, senderIncarnation, snapshotData);
        if (rng.nextDouble() < duplicateRate) {
            enqueue(m, now, senderIncarnation, snapshotData);
        }
    }

    private void enqueue(Message m, long now, int senderIncarnation, KvState snapshotData) {
        // Delivery is at least one step later, so a step never feeds on its own output.
        long delay = 1 + (rng.nextDouble() < slowRate ? rng.nextInt(maxDelay) : 0);
        // The order key is random among messages due at the same step: arrival order is not send order.
        long order = ((long) rng.nextInt(1 << 20) << 32) | (sequence++ & 0xffffffffL);
        boolean lost = rng.nextDouble() < lossRate;
        inFlight.add(new Envelope(m, now + delay, order, senderIncarnation, snapshotData, lost));
    }

    /** The next envelope due at or before {@code now}, or null. */
    Envelope pollDue(long now) {
        Envelope head = inFlight.peek();
        if (head == null || head.deliverAt > now) {
            return null;
        }
        return inFlight.poll();
    }

    boolean isBlocked(long from, long to) {
        return from < blocked.length && to < blocked.length && blocked[(int) from][(int) to];
    }

    boolean isPartitioned() {
        return partitioned;
    }

    /** Cuts every link between the two groups, both ways. */
    void split(List<Long> a, List<Long> b) {
        for (long x : a) {
            for (long y : b) {
                cut(x, y);
                cut(y, x);
            }
        }
    }

    /** Cuts one direction only: {@code from} can no longer reach {@code to}. */
    void cut(long from, long to) {
        blocked[(int) from][(int) to] = true;
        partitioned = true;
    }

    void heal() {
        for (boolean[] row : blocked) {
            java.util.Arrays.fill(row, false);
        }
        partitioned = false;
    }

    /** No more loss, duplication or long delays: the network of the liveness phase. */
    void calm() {
        heal();
        lossRate = 0;
        duplicateRate = 0;
        slowRate = 0;
    }

    /** No loss, duplication or cuts, but messages still take 1 to {@code maxDelay} steps as this seed drew. */
    void calmButSlow(double slowRate) {
        calm();
        this.slowRate = slowRate;
    }

    String describeCuts() {
        StringBuilder b = new StringBuilder();
        for (int f = 0; f < blocked.length; f++) {
            for (int t = 0; t < blocked.length; t++) {
                if (blocked[f][t]) {
                    b.append(f).append("-x->").append(t).append(' ');
                }
            }
        }
        return b.length() == 0 ? "none" : b.toString().trim();
    }
}
