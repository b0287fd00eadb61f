package io.kvorum.server.api;

import io.kvorum.proto.internal.v1.RevisionEvents;
import io.kvorum.server.state.CoordinationState;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Fans the state's committed events out to the watch streams, through an index of watched
 * paths: a revision goes only to the streams with a watch on one of its events' paths (the
 * path itself for a node watch, the path or an ancestor for a recursive one), found by a few
 * hash lookups per event, not by offering every revision to every stream. It runs on the apply
 * thread, so it only appends to each matching stream's inbox (filtering per watch and all I/O
 * happen on the stream's own executor). It also remembers the newest revision it has handed
 * out, which is what a progress notification may promise: every event up to it that a stream
 * watches reached that stream.
 *
 * <p>Invariants: a stream registers a watch's path before it reads the published revision the
 * watch starts after (or the history it replays), and the hub reads the index after the
 * revision it fans out is published; so every revision a watch needs live is either before its
 * start or offered to its stream. Revisions reach the hub consecutively; a jump (an installed
 * snapshot replaced the state, and the revisions in between were never fanned out; the state
 * announces it with the restored revision, without events) is offered to every stream, with
 * the last revision skipped, so their watches fill the gap from history.
 *
 * <p>Attach it before the node starts applying (in the state machine factory) so that this
 * revision is exact from the first entry on.
 */
public final class WatchHub implements Consumer<RevisionEvents> {
    /** Receives, in order, every revision with an event it watches, and every jump. */
    interface Subscriber {
        /**
         * @param missedThrough the newest revision up to {@code events} that was never fanned
         *                      out (a snapshot was installed), 0 if none: watches still
         *                      expecting it must replay history
         */
        void offer(RevisionEvents events, long missedThrough);
    }

    private final CoordinationState state;
    private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
    /** Node watches by path: each subscriber with its number of watches on that path. */
    private final Map<String, Map<Subscriber, Integer>> nodeWatches = new ConcurrentHashMap<>();
    /** Recursive watches by the path they are rooted at. */
    private final Map<String, Map<Subscriber, Integer>> treeWatches = new ConcurrentHashMap<>();
    private volatile long notifiedRevision;
    /**
     * The last revision fanned out. Apply thread only, or the loop while it restores a snapshot
     * and nothing applies.
     */
    private long lastRevision;
    private volatile Runnable onRevision = () -> { };

    /** A hub whose first revision to fan out follows {@code revision}; {@link #attach} wires it to a state. */
    WatchHub(CoordinationState state, long revision) {
        this.state = state;
        this.notifiedRevision = revision;
        this.lastRevision = revision;
    }

    /** Listens to {@code state}'s committed events from now on. */
    public static WatchHub attach(CoordinationState state) {
        WatchHub hub = new WatchHub(state, state.revision());
        state.addListener(hub);
        return hub;
    }

    @Override
    public void accept(RevisionEvents events) {
        long revision = events.getRevision();
        // No events: a snapshot replaced the state at this revision, so it was skipped too.
        long skippedThrough = events.getEventsCount() == 0 ? revision : revision - 1;
        if (skippedThrough > lastRevision) {
            for (Subscriber s : subscribers) {
                s.offer(events, skippedThrough);
            }
        } else {
            for (Subscriber s : watchersOf(events)) {
                s.offer(events, 0);
            }
        }
        lastRevision = Math.max(lastRevision, revision);
        if (revision > notifiedRevision) {
            notifiedRevision = revision;
        }
        onRevision.run();
    }

    /** The subscribers with a watch matching any of {@code events}' paths. */
    private Set<Subscriber> watchersOf(RevisionEvents events) {
        Set<Subscriber> hit = new HashSet<>();
        for (int i = 0; i < events.getEventsCount(); i++) {
            String path = events.getEvents(i).getPath();
            Map<Subscriber, Integer> exact = nodeWatches.get(path);
            if (exact != null) {
                hit.addAll(exact.keySet());
            }
            if (treeWatches.isEmpty()) {
                continue;
            }
            // The path itself and each ancestor up to the root.
            for (String p = path; p != null; p = parentOf(p)) {
                Map<Subscriber, Integer> tree = treeWatches.get(p);
                if (tree != null) {
                    hit.addAll(tree.keySet());
                }
            }
        }
        return hit;
    }

    private static String parentOf(String path) {
        if (path.equals("/")) {
            return null;
        }
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    /** Every event of a watched path up to this revision has been offered to its subscribers. */
    long notifiedRevision() {
        return notifiedRevision;
    }

    void subscribe(Subscriber s) {
        subscribers.add(s);
    }

    /** Removes {@code s}; it must have dropped its watches first ({@link #unwatch}). */
    void unsubscribe(Subscriber s) {
        subscribers.remove(s);
    }

    /** {@code s} watches {@code path} (and, if {@code recursive}, everything under it) from now on. */
    void watch(Subscriber s, String path, boolean recursive) {
        (recursive ? treeWatches : nodeWatches).computeIfAbsent(path, k -> new ConcurrentHashMap<>())
                .merge(s, 1, Integer::sum);
    }

    /** Undoes one {@link #watch} with the same arguments. */
    void unwatch(Subscriber s, String path, boolean recursive) {
        Map<String, Map<Subscriber, Integer>> index = recursive ? treeWatches : nodeWatches;
        index.computeIfPresent(path, (k, counts) -> {
            counts.computeIfPresent(s, (x, n) -> n == 1 ? null : n - 1);
            return counts.isEmpty() ? null : counts;
        });
    }

    /** Also called on the thread that applies, after each revision (releases waiting serializable reads). */
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
        nodeWatches.clear();
        treeWatches.clear();
    }
}
