package io.kvorum.client;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;

/**
 * Smooth weighted round robin, as nginx balances upstreams: every pick adds each item's weight
 * to its running score, takes the item with the highest score, and subtracts the total weight
 * from the winner. Over any window of W picks (W = the weights' sum) each item is picked
 * exactly its weight's times, and picks of a heavy item are spread out instead of bunched
 * ({a:5, b:1, c:1} gives a a b a c a a, not a a a a a b c).
 *
 * <p>Items are told apart by {@code equals}; {@link #update} keeps the scores of items that stay,
 * so a membership change does not restart the rotation. Thread-safe.
 *
 * @param <T> the items picked
 */
public final class SmoothWeightedRoundRobin<T> {
    private final ToIntFunction<? super T> weightOf;
    private final List<Entry<T>> entries = new ArrayList<>();

    private static final class Entry<T> {
        final T item;
        int weight;
        long score;

        Entry(T item, int weight) {
            this.item = item;
            this.weight = weight;
        }
    }

    /** @param weightOf an item's weight; items of weight 0 or less are never picked */
    public SmoothWeightedRoundRobin(ToIntFunction<? super T> weightOf) {
        this.weightOf = weightOf;
    }

    /** Replaces the items, keeping the scores of those that stay and re-reading every weight. */
    public synchronized void update(Collection<? extends T> items) {
        Map<T, Entry<T>> old = new HashMap<>();
        for (Entry<T> e : entries) {
            old.put(e.item, e);
        }
        entries.clear();
        for (T item : items) {
            Entry<T> e = old.get(item);
            if (e == null) {
                e = new Entry<>(item, 0);
            }
            e.weight = weightOf.applyAsInt(item);
            entries.add(e);
        }
    }

    /** The next item, or null when there is none with a positive weight. */
    public T next() {
        return next(item -> true);
    }

    /**
     * The next item among those {@code eligible} accepts, or null when none does. Ineligible
     * items sit the round out, as nginx skips a failed upstream.
     */
    public synchronized T next(Predicate<? super T> eligible) {
        long total = 0;
        Entry<T> best = null;
        for (Entry<T> e : entries) {
            if (e.weight <= 0 || !eligible.test(e.item)) {
                continue;
            }
            e.score += e.weight;
            total += e.weight;
            if (best == null || e.score > best.score) {
                best = e;
            }
        }
        if (best == null) {
            return null;
        }
        best.score -= total;
        return best.item;
    }

    /** The current items, in the order given to {@link #update}. */
    public synchronized List<T> items() {
        List<T> out = new ArrayList<>(entries.size());
        for (Entry<T> e : entries) {
            out.add(e.item);
        }
        return out;
    }
}
