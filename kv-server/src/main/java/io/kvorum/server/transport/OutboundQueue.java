package io.kvorum.server.transport;

import io.kvorum.server.raft.Entry;
import io.kvorum.server.raft.Message;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The messages waiting for one peer's lane, bounded by count and by bytes. Full means drop the
 * newcomers, never block the caller: raft retransmits what is lost, but a node loop stuck
 * behind one slow peer stops serving everyone. Many producers, one consumer (the lane thread).
 */
final class OutboundQueue {
    private static final Logger log = LoggerFactory.getLogger(OutboundQueue.class);
    /** Worst-case protobuf bytes around a message and around an entry's payload: an upper bound. */
    private static final int MESSAGE_OVERHEAD = 128;
    private static final int ENTRY_OVERHEAD = 40;

    private final int maxMessages;
    private final long maxBytes;
    private final long maxMessageBytes;
    private final ArrayDeque<Message> queue = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    /** Set by {@link #wakeConsumer}, cleared by the {@link #awaitNotEmpty} it ends; under {@link #lock}. */
    private boolean wakeRequested;
    private long bytes;

    /**
     * @param maxMessageBytes a single message above this could not be received by the peer (its
     *                        inbound frame limit) and is dropped at once
     */
    OutboundQueue(int maxMessages, long maxBytes, long maxMessageBytes) {
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
        this.maxMessageBytes = maxMessageBytes;
    }

    /** An upper estimate of a message's encoded size, used for every byte bound. */
    static long weight(Message m) {
        long w = MESSAGE_OVERHEAD + 11L * m.contexts().size();
        for (Entry e : m.entries()) {
            w += ENTRY_OVERHEAD + e.data().length;
        }
        return w;
    }

    /**
     * Appends {@code messages} in order while they fit; the rest are dropped.
     *
     * @return how many were dropped
     */
    int offer(List<Message> messages) {
        int dropped = 0;
        lock.lock();
        try {
            boolean added = false;
            for (Message m : messages) {
                long w = weight(m);
                if (w > maxMessageBytes) {
                    // The core's message size limit should make this impossible; sending it would
                    // break the stream for everything behind it.
                    log.error("dropped {}: about {} bytes, more than a peer accepts ({})", m, w, maxMessageBytes);
                    dropped++;
                    continue;
                }
                if (queue.size() >= maxMessages || bytes + w > maxBytes) {
                    dropped++;
                    continue;
                }
                queue.addLast(m);
                bytes += w;
                added = true;
            }
            if (added) {
                notEmpty.signal();
            }
        } finally {
            lock.unlock();
        }
        return dropped;
    }

    /**
     * Waits up to {@code timeoutNanos} for a message, then takes, in order, every queued
     * message that fits in {@code maxBatchBytes} (always at least one).
     *
     * @return the batch, empty if nothing arrived in time
     */
    List<Message> poll(long maxBatchBytes, long timeoutNanos) throws InterruptedException {
        lock.lock();
        try {
            long left = timeoutNanos;
            while (queue.isEmpty()) {
                if (left <= 0) {
                    return List.of();
                }
                left = notEmpty.awaitNanos(left);
            }
            List<Message> batch = new ArrayList<>(Math.min(queue.size(), 1024));
            long batchBytes = 0;
            while (!queue.isEmpty()) {
                long w = weight(queue.peekFirst());
                if (!batch.isEmpty() && batchBytes + w > maxBatchBytes) {
                    break;
                }
                batch.add(queue.pollFirst());
                batchBytes += w;
                bytes -= w;
            }
            return batch;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits up to {@code timeoutNanos} for a message without taking it; false if none came, or
     * if {@link #wakeConsumer} was called before one did.
     */
    boolean awaitNotEmpty(long timeoutNanos) throws InterruptedException {
        lock.lock();
        try {
            long left = timeoutNanos;
            while (queue.isEmpty()) {
                if (wakeRequested) {
                    wakeRequested = false;
                    return false;
                }
                if (left <= 0) {
                    return false;
                }
                left = notEmpty.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Ends the consumer's current (or next) {@link #awaitNotEmpty} at once, messages or not:
     * for news the consumer must act on though nothing was queued, such as a broken stream.
     */
    void wakeConsumer() {
        lock.lock();
        try {
            wakeRequested = true;
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Empties the queue. @return how many messages were discarded */
    int clear() {
        lock.lock();
        try {
            int n = queue.size();
            queue.clear();
            bytes = 0;
            return n;
        } finally {
            lock.unlock();
        }
    }

    boolean isEmpty() {
        lock.lock();
        try {
            return queue.isEmpty();
        } finally {
            lock.unlock();
        }
    }
}
