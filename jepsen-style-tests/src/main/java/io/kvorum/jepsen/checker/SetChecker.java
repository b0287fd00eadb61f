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
 * Set: clients add unique integers, then one final read returns them all.
 * <ul>
 *   <li>lost: acknowledged adds that finished before the final read began, missing from it;
 *   <li>unexpected: elements in the read that nobody ever tried to add;
 *   <li>failedButPresent: adds that failed (certainly did not happen) yet are there;
 *   <li>duplicated: elements the read returned twice;
 *   <li>recovered: indeterminate adds that did happen (fine, reported for interest).
 * </ul>
 * Valid when the first four are empty; unknown without an ok read.
 */
public final class SetChecker {
    private SetChecker() {
    }

    public static CheckResult check(List<Event> events) {
        Vocab.fs(events, Set.of("add", "read"));
        Map<Long, Op> adds = new HashMap<>();
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
                if (Vocab.okResult(op) && (finalRead == null || op.returnTime() >= finalRead.returnTime())) {
                    finalRead = op;
                }
            }
        }
        if (finalRead == null) {
            return new CheckResult("set", Verdict.UNKNOWN, "unknown: no read completed", Map.of());
        }
        if (!(finalRead.completion().value() instanceof List<?> read)) {
            throw Vocab.bad(finalRead.completion(), "an array of integers");
        }
        Set<Long> present = new TreeSet<>();
        Set<Long> duplicated = new TreeSet<>();
        for (Object o : read) {
            if (!(o instanceof Long v)) {
                throw Vocab.bad(finalRead.completion(), "an array of integers");
            }
            if (!present.add(v)) {
                duplicated.add(v);
            }
        }
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
        boolean valid = lost.isEmpty() && unexpected.isEmpty() && failedButPresent.isEmpty() && duplicated.isEmpty();
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("attempted", (long) adds.size());
        d.put("acknowledged", acknowledged);
        d.put("read", (long) present.size());
        d.put("finalReadLine", (long) finalRead.invoke().line());
        d.put("lost", new ArrayList<>(lost));
        d.put("unexpected", new ArrayList<>(unexpected));
        d.put("failedButPresent", new ArrayList<>(failedButPresent));
        d.put("duplicated", new ArrayList<>(duplicated));
        d.put("recovered", new ArrayList<>(recovered));
        String summary = (valid ? "valid" : "invalid") + ": " + adds.size() + " adds attempted, " + acknowledged
                + " acknowledged, " + present.size() + " read; lost " + lost + ", unexpected " + unexpected
                + ", failed but present " + failedButPresent + ", duplicated " + duplicated + ", recovered "
                + recovered.size();
        return new CheckResult("set", valid ? Verdict.VALID : Verdict.INVALID, summary, d);
    }

    static boolean ok(Op op) {
        return op.outcome() == Type.OK;
    }
}
