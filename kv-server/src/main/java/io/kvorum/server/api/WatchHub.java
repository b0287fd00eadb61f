package io.kvorum.server.api;

import io.kvorum.proto.internal.v1.RevisionEvents;
import io.kvorum.server.state.CoordinationState;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Fans the state's committed events out to the watch streams. It runs on the apply thread
 * thread, so it only appends to each stream's inbox (no filtering, no I/O: that happens on
 * the stream's own executor). It also remembers the newest revision it has handed out, which
 * is what a progress notification may promise: every event up to it reached every stream.
 *
 * <p>Attach it before the node starts applying (in the state machine factory) so that this
 * revision is exact from the first entry on.
 */
public final class WatchHub implements Consumer<RevisionEvents> {
    /** Receives every revision's events, in order. */
    interface Subscriber {
        void offer(RevisionEvents events);
    }

    private final CoordinationState state;
    private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
    private volatile long notifiedRevision;
    private volatile Runnable onRevision = () -> { };

    private WatchHub(CoordinationState state) {
        this.state = state;
    }

    /** Listens to {@code state}'s committed events from now on. */
    public static WatchHub attach(CoordinationState state) {
        WatchHub hub = new WatchHub(state);
        state.addListener(hub);
        hub.notifiedRevision = state.revision();
        return hub;
    }

    @Override
    public void accept(RevisionEvents events) {
        for (Subscriber s : subscribers) {
            s.offer(events);
        }
        if (events.getRevision() > notifiedRevision) {
            notifiedRevision = events.getRevision();
        }
        onRevision.run();
    }

    /** Every event of a revision up to this one has been offered to every subscriber. */
    long notifiedRevision() {
        return notifiedRevision;
    }

    void subscribe(Subscriber s) {
        subscribers.add(s);
    }

    void unsubscribe(Subscriber s) {
        subscribers.remove(s);
    }

    /** Also called on the apply thread after each revision (releases waiting serializable reads). */
    void onRevision(Runnable r) {
        onRevision = r;
    }

    CoordinationState state() {
        return state;
    }

    /** Stops listening to the state. */
    void detach() {
        state.removeListener(this);
        subscribers.clear();
    }
}
