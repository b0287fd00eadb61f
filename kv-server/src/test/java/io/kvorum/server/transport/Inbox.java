package io.kvorum.server.transport;

import io.kvorum.server.raft.Message;
import io.kvorum.server.raft.MessageType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** A MessageHandler that records everything, for assertions. */
class Inbox implements MessageHandler {
    private final List<Message> messages = new ArrayList<>();
    final Map<Long, AtomicInteger> unreachable = new ConcurrentHashMap<>();
    final List<String> snapshotOutcomes = new ArrayList<>();

    @Override
    public void onMessages(List<Message> received) {
        synchronized (this) {
            messages.addAll(received);
        }
    }

    @Override
    public void onUnreachable(long peer) {
        unreachable.computeIfAbsent(peer, k -> new AtomicInteger()).incrementAndGet();
    }

    @Override
    public synchronized void onSnapshotSent(long peer, boolean ok) {
        snapshotOutcomes.add(peer + (ok ? ":ok" : ":failed"));
    }

    synchronized List<Message> all() {
        return new ArrayList<>(messages);
    }

    synchronized List<Message> from(long peer, MessageType type) {
        return messages.stream().filter(m -> m.from() == peer && m.type() == type).toList();
    }

    synchronized int count(MessageType type) {
        return (int) messages.stream().filter(m -> m.type() == type).count();
    }

    int unreachableCount(long peer) {
        AtomicInteger n = unreachable.get(peer);
        return n == null ? 0 : n.get();
    }

    synchronized List<String> snapshotOutcomes() {
        return new ArrayList<>(snapshotOutcomes);
    }
}
