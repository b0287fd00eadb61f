package io.kvorum.jepsen.checker;

import io.kvorum.jepsen.history.Event;
import io.kvorum.jepsen.history.HistoryException;
import io.kvorum.jepsen.history.Op;
import io.kvorum.jepsen.history.Pairing;
import io.kvorum.jepsen.history.Type;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Set: clients add unique integers and read the set now and then; the last read (the final read,
 * on the healed cluster) returns them all.
 * <ul>
 *   <li>lost: acknowledged adds that finished before the final read began, missing from it;
 *   <li>stale: earlier reads missing an acknowledged add that finished before they began (a
 *       grow-only set read linearizably never forgets: such a read saw an old state);
 *   <li>unexpected: elements in a read that nobody ever tried to add;
 *   <li>failedButPresent: adds that failed (certainly did not happen) yet are in the final read;
 *   <li>duplicated: elements the final read returned twice;
 *   <li>recovered: indeterminate adds that did happen (fine, reported for interest).
 * </ul>
 * Valid when all but the last are empty; unknown without an ok read.
 */
public final class SetChecker {
    private SetChecker() {
    }

    public static CheckResult check(List<Event> events) {
        Vocab.fs(events, Set.of("add", "read"));
        Map<Long, Op> adds = new HashMap<>();
        List<Op> reads = new ArrayList<>();
        Op finalRead = null;
        for (Op op : Pairing.of(events, Set.of()).ops) {
            if (op.f().equals("add")) {
                long v = Vocab.integer(op.invoke());
                Vocab.sameValue(op);
                Op previous = adds.put(v, op);
                if (previous != null) {
                    throw new HistoryException(op.invoke().line(), "element " + v + " is added twice (first on line "
                            + previous.invoke().line() + "); adds must be unique");
                }
            } else {
                Vocab.isNull(op.invoke());
                if (Vocab.okResult(op)) {
                    reads.add(op);
                    if (finalRead == null || op.returnTime() >= finalRead.returnTime()) {
                        finalRead = op;
                    }
                }
            }
        }
        if (finalRead == null) {
            return new CheckResult("set", Verdict.UNKNOWN, "unknown: no read completed", Map.of());
        }
        Set<Long> duplicated = new TreeSet<>();
        Set<Long> present = elements(finalRead, duplicated);
        Set<Long> lost = new TreeSet<>();
        Set<Long> unexpected = new TreeSet<>();
        Set<Long> failedButPresent = new TreeSet<>();
        Set<Long> recovered = new TreeSet<>();
        long acknowledged = 0;
        for (Map.Entry<Long, Op> e : adds.entrySet()) {
            Op add = e.getValue();
            boolean there = present.contains(e.getKey());
            switch (add.outcome()) {
                case OK -> {
                    acknowledged++;
                    if (!there && add.returnTime() < finalRead.callTime()) {
                        lost.add(e.getKey());
                    }
                }
                case FAIL -> {
                    if (there) {
                        failedButPresent.add(e.getKey());
                    }
                }
                default -> {
                    if (there) {
                        recovered.add(e.getKey());
                    }
                }
            }
        }
        for (Long v : present) {
            if (!adds.containsKey(v)) {
                unexpected.add(v);
            }
        }
        List<Object> stale = new ArrayList<>();
        long staleElements = 0;
        for (Op r : reads) {
            if (r == finalRead) {
                continue;
            }
            Set<Long> seen = elements(r, new TreeSet<>());
            List<Long> missing = new ArrayList<>();
            for (Map.Entry<Long, Op> e : adds.entrySet()) {
                Op add = e.getValue();
                if (add.outcome() == Type.OK && add.returnTime() < r.callTime() && !seen.contains(e.getKey())) {
                    missing.add(e.getKey());
                }
            }
            for (Long v : seen) {
                if (!adds.containsKey(v)) {
                    unexpected.add(v);
                }
            }
            if (!missing.isEmpty()) {
                java.util.Collections.sort(missing);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("line", (long) r.invoke().line());
                m.put("missing", (long) missing.size());
                m.put("examples", new ArrayList<>(missing.subList(0, Math.min(10, missing.size()))));
                stale.add(m);
                staleElements += missing.size();
            }
        }
        boolean valid = lost.isEmpty() && stale.isEmpty() && unexpected.isEmpty() && failedButPresent.isEmpty()
                && duplicated.isEmpty();
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("attempted", (long) adds.size());
        d.put("acknowledged", acknowledged);
        d.put("read", (long) present.size());
        d.put("finalReadLine", (long) finalRead.invoke().line());
        d.put("reads", (long) reads.size());
        d.put("lost", new ArrayList<>(lost));
        d.put("stale", stale);
        d.put("unexpected", new ArrayList<>(unexpected));
        d.put("failedButPresent", new ArrayList<>(failedButPresent));
        d.put("duplicated", new ArrayList<>(duplicated));
        d.put("recovered", new ArrayList<>(recovered));
        String summary = (valid ? "valid" : "invalid") + ": " + adds.size() + " adds attempted, " + acknowledged
                + " acknowledged, " + present.size() + " read; lost " + lost + ", stale reads " + stale.size()
                + (stale.isEmpty() ? "" : " (" + staleElements + " elements missing, first " + stale.get(0) + ")")
                + ", unexpected " + unexpected
                + ", failed but present " + failedButPresent + ", duplicated " + duplicated + ", recovered "
                + recovered.size();
        return new CheckResult("set", valid ? Verdict.VALID : Verdict.INVALID, summary, d);
    }

    /** The elements an ok read returned; those it returned twice go to {@code duplicated}. */
    private static Set<Long> elements(Op read, Set<Long> duplicated) {
        if (!(read.completion().value() instanceof List<?> list)) {
            throw Vocab.bad(read.completion(), "an array of integers");
        }
        Set<Long> out = new TreeSet<>();
        for (Object o : list) {
            if (!(o instanceof Long v)) {
                throw Vocab.bad(read.completion(), "an array of integers");
            }
            if (!out.add(v)) {
                duplicated.add(v);
            }
        }
        return out;
    }

    static boolean ok(Op op) {
        return op.outcome() == Type.OK;
    }
}
