package io.kvorum.jepsen.checker;

import io.kvorum.jepsen.history.Event;
import io.kvorum.jepsen.history.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Generates the history of a real linearizable register service: {@code concurrency} client
 * threads issue reads, writes (unique values) and cas on random keys with random latencies;
 * each operation takes effect at a random instant inside its call window, in that order, on a
 * true per-key register. A fraction of operations time out (info): they take effect or not at
 * random, and their thread continues as a new process, as the history format requires.
 */
public final class RegisterSimulator {
    record SimOp(long process, String f, String key, Long value, Long expected, long call, long ret, long at,
                 Type outcome, boolean effective) {
    }

    final List<SimOp> ops = new ArrayList<>();

    public RegisterSimulator(long seed, int count, int keys, int concurrency, double infoRate) {
        Random r = new Random(seed);
        long[] free = new long[concurrency];
        long[] process = new long[concurrency];
        for (int t = 0; t < concurrency; t++) {
            process[t] = t;
        }
        Map<String, List<Long>> written = new HashMap<>();
        long nextValue = 1;
        List<SimOp> planned = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            int t = r.nextInt(concurrency);
            long call = free[t] + r.nextInt(200_000);
            long ret = call + 50_000 + r.nextInt(2_000_000);
            long at = call + (long) (r.nextDouble() * (ret - call));
            free[t] = ret + 1;
            String key = "k" + r.nextInt(keys);
            List<Long> seen = written.computeIfAbsent(key, x -> new ArrayList<>());
            double d = r.nextDouble();
            String f = d < 0.5 ? "read" : d < 0.8 ? "write" : "cas";
            Long value = f.equals("read") ? null : nextValue++;
            Long expected = null;
            if (f.equals("cas") && !seen.isEmpty()) {
                expected = seen.get(Math.max(0, seen.size() - 1 - r.nextInt(Math.min(3, seen.size()))));
            }
            if (value != null) {
                seen.add(value);
            }
            boolean info = r.nextDouble() < infoRate;
            planned.add(new SimOp(process[t], f, key, value, expected, call, ret, at, info ? Type.INFO : Type.OK,
                    !info || r.nextBoolean()));
            if (info) {
                process[t] += concurrency; // the thread goes on as a new process
            }
        }
        // Apply in linearization order to the true registers.
        List<SimOp> byInstant = new ArrayList<>(planned);
        byInstant.sort(Comparator.comparingLong(SimOp::at));
        Map<String, Long> state = new HashMap<>();
        for (SimOp op : byInstant) {
            Long current = state.get(op.key);
            switch (op.f) {
                case "read" -> ops.add(new SimOp(op.process, op.f, op.key, current, null, op.call, op.ret, op.at,
                        op.outcome == Type.INFO ? Type.INFO : Type.OK, op.effective));
                case "write" -> {
                    if (op.effective) {
                        state.put(op.key, op.value);
                    }
                    ops.add(op);
                }
                default -> {
                    boolean matches = java.util.Objects.equals(current, op.expected);
                    if (matches && op.effective) {
                        state.put(op.key, op.value);
                    }
                    Type outcome = op.outcome == Type.INFO ? Type.INFO : matches ? Type.OK : Type.FAIL;
                    ops.add(new SimOp(op.process, op.f, op.key, op.value, op.expected, op.call, op.ret, op.at, outcome,
                            op.effective && matches));
                }
            }
        }
    }

    /**
     * Makes one ok read stale: it returns a value that a later write, finished before the read
     * began, had already replaced (and whose own write finished before that one began), so no
     * linearization can explain it. Returns false if the history has no such read.
     */
    public boolean injectStaleRead() {
        for (int i = ops.size() - 1; i >= 0; i--) {
            SimOp read = ops.get(i);
            if (!read.f.equals("read") || read.outcome != Type.OK) {
                continue;
            }
            for (SimOp w1 : ops) {
                if (!w1.f.equals("write") || w1.outcome != Type.OK || !w1.key.equals(read.key)
                        || w1.value.equals(read.value)) {
                    continue;
                }
                for (SimOp w2 : ops) {
                    if (w2.f.equals("write") && w2.outcome == Type.OK && w2.key.equals(read.key)
                            && w1.ret < w2.call && w2.ret < read.call) {
                        ops.set(i, new SimOp(read.process, read.f, read.key, w1.value, null, read.call, read.ret,
                                read.at, Type.OK, true));
                        return true;
                    }
                }
            }
        }
        return false;
    }

    public List<Event> events() {
        record Timed(long time, int order, Event e) {
        }
        List<Timed> out = new ArrayList<>();
        int order = 0;
        for (SimOp op : ops) {
            Object invokeValue = switch (op.f) {
                case "read" -> null;
                case "write" -> op.value;
                default -> Arrays.asList(op.expected, op.value);
            };
            Object doneValue = op.f.equals("read") ? (op.outcome == Type.OK ? op.value : null) : invokeValue;
            out.add(new Timed(op.call, order++, new Event(0, op.process, Type.INVOKE, op.f, op.key, invokeValue,
                    op.call, null)));
            out.add(new Timed(op.ret, order++, new Event(0, op.process, op.outcome, op.f, op.key, doneValue, op.ret,
                    null)));
        }
        out.sort(Comparator.comparingLong(Timed::time).thenComparingInt(Timed::order));
        List<Event> events = new ArrayList<>();
        for (Timed t : out) {
            events.add(t.e);
        }
        return events;
    }
}
