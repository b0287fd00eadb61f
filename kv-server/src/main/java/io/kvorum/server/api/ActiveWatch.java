package io.kvorum.server.api;

import io.kvorum.proto.internal.v1.RevisionEvents;
import io.kvorum.proto.v1.Event;
import io.kvorum.proto.v1.WatchResponse;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One watch of a stream: what it matches, how far it got, and the events waiting for it.
 * Confined to its stream's serial executor.
 *
 * <p>Delivery is exactly once and in order because of one number, {@link #next}: the first
 * revision not yet delivered. History replay and live events may overlap; anything below
 * {@code next} is dropped, and {@code next} only moves past a revision once that revision's
 * matching events are queued for sending.
 *
 * <p>Live events wait in a bounded buffer ({@code maxEvents} events or {@code maxBytes}
 * bytes); a watch whose client reads too slowly to keep it under the bound is marked
 * {@link #overflowed} and its buffer dropped, rather than growing memory (etcd-io/etcd#16839).
 */
final class ActiveWatch {
    /** Revisions are grouped into one response up to about this many bytes of events. */
    static final int MAX_RESPONSE_BYTES = 1 << 20;

    final long id;
    final String path;
    final boolean recursive;
    private final String prefix;
    private final int maxEvents;
    private final long maxBytes;

    /** The first revision not yet delivered. */
    long next;
    /** False while replaying history; live events are buffered meanwhile. */
    boolean live;
    boolean overflowed;
    boolean progressRequested;
    long lastSentNanos = System.nanoTime();

    private final ArrayDeque<RevisionEvents> buffer = new ArrayDeque<>();
    private int bufferedEvents;
    private long bufferedBytes;
    /** Responses built and waiting for the stream to be ready. */
    final ArrayDeque<WatchResponse.Builder> outgoing = new ArrayDeque<>();

    ActiveWatch(long id, String path, boolean recursive, long next, int maxEvents, long maxBytes) {
        this.id = id;
        this.path = path;
        this.recursive = recursive;
        this.prefix = path.equals("/") ? "/" : path + "/";
        this.next = next;
        this.maxEvents = maxEvents;
        this.maxBytes = maxBytes;
    }

    /**
     * A node watch sees the node's own events and its CHILDREN_CHANGED (all carry its path); a
     * recursive watch sees everything at or under its path.
     */
    boolean matches(Event e) {
        String p = e.getPath();
        return p.equals(path) || (recursive && p.startsWith(prefix));
    }

    /** This watch's share of a revision, or null when nothing matches. */
    RevisionEvents filter(RevisionEvents re) {
        List<Event> mine = null;
        for (int i = 0; i < re.getEventsCount(); i++) {
            Event e = re.getEvents(i);
            if (matches(e)) {
                if (mine == null) {
                    mine = new ArrayList<>();
                }
                mine.add(e);
            }
        }
        if (mine == null) {
            return null;
        }
        return mine.size() == re.getEventsCount() ? re
                : RevisionEvents.newBuilder().setRevision(re.getRevision()).addAllEvents(mine).build();
    }

    /** A live revision arrived. */
    void offerLive(RevisionEvents re) {
        if (overflowed || re.getRevision() < next) {
            return;
        }
        RevisionEvents mine = filter(re);
        if (mine == null) {
            return;
        }
        buffer.addLast(mine);
        bufferedEvents += mine.getEventsCount();
        bufferedBytes += mine.getSerializedSize();
        if (bufferedEvents > maxEvents || bufferedBytes > maxBytes) {
            overflowed = true;
            buffer.clear();
            bufferedEvents = 0;
            bufferedBytes = 0;
        }
    }

    /** Queues the replayed revisions' matching events and moves {@link #next} past them. */
    void queueReplayed(List<RevisionEvents> history) {
        List<RevisionEvents> mine = new ArrayList<>();
        for (RevisionEvents re : history) {
            if (re.getRevision() < next) {
                continue;
            }
            RevisionEvents m = filter(re);
            if (m != null) {
                mine.add(m);
            }
            next = re.getRevision() + 1;
        }
        queue(mine);
    }

    /** Moves about one response's worth of buffered live events to {@link #outgoing}. */
    void queueBuffered() {
        List<RevisionEvents> batch = new ArrayList<>();
        long bytes = 0;
        while (!buffer.isEmpty() && bytes < MAX_RESPONSE_BYTES) {
            RevisionEvents re = buffer.pollFirst();
            bufferedEvents -= re.getEventsCount();
            bufferedBytes -= re.getSerializedSize();
            if (re.getRevision() < next) {
                continue; // delivered by the replay already
            }
            batch.add(re);
            bytes += re.getSerializedSize();
            next = re.getRevision() + 1;
        }
        queue(batch);
    }

    boolean hasBuffered() {
        return !buffer.isEmpty();
    }

    /**
     * Builds responses in order, each holding whole revisions: a client that resumes from the
     * last revision it saw plus one must never miss the rest of a revision. Revisions are
     * grouped until a response reaches about {@link #MAX_RESPONSE_BYTES}; one revision alone may
     * be larger (up to about the request limit: clients allow for that).
     */
    private void queue(List<RevisionEvents> revisions) {
        WatchResponse.Builder b = null;
        long bytes = 0;
        for (RevisionEvents re : revisions) {
            if (b != null && bytes >= MAX_RESPONSE_BYTES) {
                outgoing.addLast(b);
                b = null;
            }
            if (b == null) {
                b = WatchResponse.newBuilder().setWatchId(id);
                bytes = 0;
            }
            b.addAllEvents(re.getEventsList());
            bytes += re.getSerializedSize();
        }
        if (b != null) {
            outgoing.addLast(b);
        }
    }

    /** The first revision the client has not been sent: where it should resume. */
    long resumeRevision() {
        WatchResponse.Builder first = outgoing.peekFirst();
        return first != null ? first.getEvents(0).getRevision() : next;
    }
}
