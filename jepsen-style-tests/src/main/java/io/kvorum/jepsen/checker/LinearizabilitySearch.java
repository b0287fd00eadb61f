package io.kvorum.jepsen.checker;

import io.kvorum.jepsen.history.RegisterOp;
import io.kvorum.jepsen.history.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides whether the operations on one register are linearizable: Wing &amp; Gong's search
 * with Lowe's just-in-time linearization and memoization ("Testing for linearizability", 2017;
 * the shape porcupine uses).
 *
 * <p>Calls and returns form one list in time order (at equal times calls first, so touching
 * operations count as concurrent: the checker may only reject what is certainly wrong). The
 * search walks the list: at a call it tries to linearize that operation now (the model accepts
 * it and the configuration (linearized set, state) is new), lifting its call and return out of
 * the list and restarting from the front; at a return it has met an operation that had to take
 * effect before this point but could not, so it backtracks the last choice. The list empty means
 * linearizable; backtracking from nothing means not. Configurations already explored are never
 * explored again, which is what makes histories of thousands of operations feasible.
 *
 * <p>Indeterminate ({@code info}) operations return at infinity, after every finite return:
 * reaching one of those returns means every determinate operation is placed, and the info ones
 * left over are taken never to have happened. Failed operations and reads without a result are
 * dropped before the search (they constrain nothing), and so are info writes and cas whose new
 * value nobody ever observed: taking effect could only be followed, before the next write, by
 * operations that do not look at the value, so leaving them out changes no verdict but saves
 * the search from doubling its work for each.
 */
final class LinearizabilitySearch {
    /** How often (in steps) the deadline is looked at: rarely enough to cost nothing. */
    private static final int DEADLINE_CHECK_MASK = 1023;
    /** Linearized operations shown before a failure window even when they do not overlap it. */
    private static final int CONTEXT_OPS = 3;

    private final String key;
    private final List<RegisterOp> ops;
    private final long deadlineNanos;
    private final long maxConfigurations;

    LinearizabilitySearch(String key, List<RegisterOp> ops, long deadlineNanos, long maxConfigurations) {
        this.key = key;
        this.ops = ops;
        this.deadlineNanos = deadlineNanos;
        this.maxConfigurations = maxConfigurations;
    }

    /** A call or a return in the doubly linked list the search lifts operations out of. */
    private static final class Entry {
        final int op;
        final boolean call;
        final long time;
        /** Index in time order, set once the list is sorted: how far the search has got. */
        int position;
        Entry match;
        Entry prev;
        Entry next;

        Entry(int op, boolean call, long time) {
            this.op = op;
            this.call = call;
            this.time = time;
        }
    }

    /** A memoized configuration: the linearized set (compacted, see {@link Bits#snapshot}) and the state. */
    private static final class Config {
        final long[] bits;
        final int state;
        final int hash;

        Config(long[] bits, int state) {
            this.bits = bits;
            this.state = state;
            this.hash = Arrays.hashCode(bits) * 31 + state;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Config c && c.hash == hash && c.state == state && Arrays.equals(c.bits, bits);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    KeyResult run() {
        long started = System.nanoTime();
        Prepared p = prepare();
        int n = p.ops.size();
        if (n == 0) {
            return KeyResult.valid(key, ops.size(), 0, 0, System.nanoTime() - started);
        }
        Entry head = buildList(p);
        RegisterModel model = new RegisterModel(p.kind, p.arg, p.expected);
        Bits bits = new Bits(n, p.determinate);
        Set<Config> seen = new HashSet<>();
        int[] stackState = new int[n];
        boolean[] forced = new boolean[n];
        Entry[] stackEntry = new Entry[n];
        int depth = 0;
        int state = 0;
        Stuck furthest = null;
        long steps = 0;

        Entry entry = head.next;
        while (head.next != null) {
            if ((++steps & DEADLINE_CHECK_MASK) == 0) {
                if (System.nanoTime() - deadlineNanos > 0 || Thread.currentThread().isInterrupted()) {
                    return KeyResult.unknown(key, ops.size(), n, seen.size(), System.nanoTime() - started,
                            "search deadline passed");
                }
                if (seen.size() > maxConfigurations) {
                    return KeyResult.unknown(key, ops.size(), n, seen.size(), System.nanoTime() - started,
                            "more than " + maxConfigurations + " configurations");
                }
            }
            if (entry.call) {
                boolean read = p.kind[entry.op] == RegisterModel.READ;
                int next = model.step(state, entry.op);
                if (next != RegisterModel.IMPOSSIBLE) {
                    bits.set(entry.op);
                    if (seen.add(new Config(bits.snapshot(), next))) {
                        stackState[depth] = state;
                        stackEntry[depth] = entry;
                        forced[depth] = read;
                        depth++;
                        state = next;
                        lift(entry);
                        entry = head.next;
                        continue;
                    }
                    bits.clear(entry.op);
                    // A read that fits now may always go now (see forced below), so if that
                    // configuration is known to fail, so is this one: backtrack at once.
                    if (!read) {
                        entry = entry.next;
                        continue;
                    }
                } else {
                    entry = entry.next;
                    continue;
                }
            } else {
                if (entry.time == Long.MAX_VALUE) {
                    break; // only info operations are left: they never happened
                }
                if (furthest == null || entry.position > furthest.position
                        || (entry.position == furthest.position && depth > furthest.prefix.length)) {
                    furthest = new Stuck(entry.position, entry.op, prefix(stackEntry, depth),
                            pendingBefore(head, entry), state);
                }
            }
            // Backtrack. A read linearized as soon as it fit is never undone in favour of an
            // alternative: it changes no state, and everything that had to precede it already
            // had, so any linearization placing it later can place it there instead. Undoing it
            // just means undoing the choice before it too.
            Entry undo;
            do {
                if (depth == 0) {
                    return KeyResult.invalid(key, ops.size(), n, seen.size(), System.nanoTime() - started,
                            window(p, furthest));
                }
                depth--;
                undo = stackEntry[depth];
                state = stackState[depth];
                bits.clear(undo.op);
                unlift(undo);
            } while (forced[depth]);
            entry = undo.next;
        }
        return KeyResult.valid(key, ops.size(), n, seen.size(), System.nanoTime() - started);
    }

    /** Where the search got furthest before it had to backtrack for good. */
    private record Stuck(int position, int op, int[] prefix, int[] pending, int state) {
    }

    private static int[] prefix(Entry[] stack, int depth) {
        int[] out = new int[depth];
        for (int k = 0; k < depth; k++) {
            out[k] = stack[k].op;
        }
        return out;
    }

    private static int[] pendingBefore(Entry head, Entry stop) {
        List<Integer> out = new ArrayList<>();
        for (Entry e = head.next; e != stop; e = e.next) {
            if (e.call) {
                out.add(e.op);
            }
        }
        out.add(stop.op);
        return out.stream().distinct().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The smallest story of the failure: the ops that could not be placed where the search got
     * furthest, and the end of the linearized prefix that overlaps them in time, with the value
     * the register held just before that part of the prefix.
     */
    private Map<String, Object> window(Prepared p, Stuck s) {
        if (s == null) { // cannot happen: failing needs a return the search could not pass
            return Map.of("key", key);
        }
        long windowStart = Long.MAX_VALUE;
        for (int op : s.pending) {
            windowStart = Math.min(windowStart, p.ops.get(op).call());
        }
        int from = s.prefix.length;
        while (from > 0 && p.ops.get(s.prefix[from - 1]).ret() >= windowStart) {
            from--;
        }
        // A few operations before the overlap show how the register got its value (a stale read's
        // overwriting write is usually one of them).
        from = Math.max(0, Math.min(from, s.prefix.length - CONTEXT_OPS));
        // Replay the prefix to the window's start for the value the register held there.
        RegisterModel model = new RegisterModel(p.kind, p.arg, p.expected);
        int state = 0;
        for (int k = 0; k < from; k++) {
            state = model.step(state, s.prefix[k]);
        }
        List<String> placed = new ArrayList<>();
        for (int k = from; k < s.prefix.length; k++) {
            placed.add(p.ops.get(s.prefix[k]).toString());
        }
        List<String> unplaced = new ArrayList<>();
        for (int op : s.pending) {
            unplaced.add(p.ops.get(op).toString());
        }
        Map<String, Object> w = new java.util.LinkedHashMap<>();
        w.put("key", key);
        w.put("linearizedPrefixLength", (long) s.prefix.length);
        w.put("valueBeforeWindow", p.valueOf(state));
        w.put("linearizedInWindow", placed);
        w.put("valueAtStuckPoint", p.valueOf(s.state));
        w.put("couldNotLinearize", p.ops.get(s.op).toString());
        w.put("pendingOps", unplaced);
        return w;
    }

    private static void lift(Entry call) {
        call.prev.next = call.next;
        call.next.prev = call.prev; // a call always has its return after it
        Entry ret = call.match;
        ret.prev.next = ret.next;
        if (ret.next != null) {
            ret.next.prev = ret.prev;
        }
    }

    /** Undoes {@link #lift}; correct because lifts are undone in reverse order. */
    private static void unlift(Entry call) {
        Entry ret = call.match;
        ret.prev.next = ret;
        if (ret.next != null) {
            ret.next.prev = ret;
        }
        call.prev.next = call;
        call.next.prev = call;
    }

    private static Entry buildList(Prepared p) {
        int n = p.ops.size();
        List<Entry> entries = new ArrayList<>(2 * n);
        for (int i = 0; i < n; i++) {
            RegisterOp op = p.ops.get(i);
            Entry c = new Entry(i, true, op.call());
            Entry r = new Entry(i, false, op.ret());
            c.match = r;
            r.match = c;
            entries.add(c);
            entries.add(r);
        }
        // Stable sort: by time, calls before returns at equal times.
        entries.sort(Comparator.<Entry>comparingLong(e -> e.time).thenComparing(e -> e.call ? 0 : 1));
        Entry head = new Entry(-1, false, Long.MIN_VALUE);
        Entry prev = head;
        for (int k = 0; k < entries.size(); k++) {
            Entry e = entries.get(k);
            e.position = k;
            prev.next = e;
            e.prev = prev;
            prev = e;
        }
        return head;
    }

    /** The operations the search sees, and the interned values. */
    private static final class Prepared {
        final List<RegisterOp> ops = new ArrayList<>();
        int[] kind;
        int[] arg;
        int[] expected;
        int determinate;
        final Map<Long, Integer> ids = new HashMap<>();
        final List<Long> values = new ArrayList<>();

        Prepared() {
            values.add(null); // id 0: absent
        }

        int id(Long v) {
            if (v == null) {
                return 0;
            }
            return ids.computeIfAbsent(v, x -> {
                values.add(x);
                return values.size() - 1;
            });
        }

        Long valueOf(int id) {
            return values.get(id);
        }
    }

    private Prepared prepare() {
        Set<Long> observed = new HashSet<>();
        for (RegisterOp op : ops) {
            if (op.f() == RegisterOp.Fn.READ && op.outcome() == Type.OK && op.value() != null) {
                observed.add(op.value());
            } else if (op.f() == RegisterOp.Fn.CAS && op.outcome() != Type.FAIL && op.expected() != null) {
                observed.add(op.expected());
            }
        }
        List<RegisterOp> determinate = new ArrayList<>();
        List<RegisterOp> indeterminate = new ArrayList<>();
        for (RegisterOp op : ops) {
            if (op.outcome() == Type.FAIL) {
                continue; // certainly did not happen
            }
            if (op.f() == RegisterOp.Fn.READ) {
                if (op.outcome() == Type.OK) {
                    determinate.add(op);
                }
                continue; // a read with no result constrains nothing
            }
            if (op.outcome() == Type.OK) {
                determinate.add(op);
            } else if (observed.contains(op.value())) {
                indeterminate.add(op);
            }
        }
        // Determinate ops first, in call order, so the linearized set compacts well (see Bits).
        Prepared p = new Prepared();
        p.ops.addAll(determinate);
        p.ops.addAll(indeterminate);
        p.determinate = determinate.size();
        int n = p.ops.size();
        p.kind = new int[n];
        p.arg = new int[n];
        p.expected = new int[n];
        for (int i = 0; i < n; i++) {
            RegisterOp op = p.ops.get(i);
            p.kind[i] = switch (op.f()) {
                case READ -> RegisterModel.READ;
                case WRITE -> RegisterModel.WRITE;
                case CAS -> RegisterModel.CAS;
            };
            p.arg[i] = p.id(op.value());
            p.expected[i] = op.f() == RegisterOp.Fn.CAS ? p.id(op.expected()) : 0;
        }
        return p;
    }
}
